package secrets

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
)

// fakeSSM is one account's Parameter Store in memory, answering as SSM
// does where the step can tell: every put is a new version, readable later
// as "name:version"; a put over an existing parameter needs Overwrite;
// listings by path come in pages. echo makes puts fail quoting the value,
// as AWS validation errors do; failPut makes the n-th put (1-based) fail
// without writing. Every call is logged.
type fakeSSM struct {
	mu      sync.Mutex
	account string
	params  map[string]*fakeParam
	calls   clonetest.Calls
	echo    bool
	failPut int
	puts    int
}

type fakeParam struct {
	history []param // version n is history[n-1]
	tags    map[string]string
}

func newFakeSSM(account string) *fakeSSM {
	return &fakeSSM{account: account, params: map[string]*fakeParam{}}
}

// add puts a parameter in place, versions versions deep, without logging.
func (f *fakeSSM) add(p param, versions int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fp := &fakeParam{tags: maps.Clone(p.tags)}
	if fp.tags == nil {
		fp.tags = map[string]string{}
	}
	for i := 1; i <= versions; i++ {
		v := p
		if i < versions {
			v.value = []byte(fmt.Sprintf("%s-v%d", p.value, i))
		}
		fp.history = append(fp.history, v)
	}
	f.params[p.name] = fp
}

// state is each parameter's current settings, tags and value digest.
func (f *fakeSSM) state() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, n := range slices.Sorted(maps.Keys(f.params)) {
		p := f.params[n]
		c := p.history[len(p.history)-1]
		fmt.Fprintf(&b, "%s %s %q key=%q %v %s\n", n, c.typ, c.description, c.keyID, p.tags, digestOf(c.value))
	}
	return b.String()
}

func (f *fakeSSM) current(name string) param {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.params[name]
	return p.history[len(p.history)-1]
}

func notFound(name string) error {
	return &ssmtypes.ParameterNotFound{Message: aws.String("Parameter " + name + " not found.")}
}

func (f *fakeSSM) arn(name string) string {
	return fmt.Sprintf("arn:aws:ssm:us-east-1:%s:parameter/%s", f.account, strings.TrimPrefix(name, "/"))
}

func (f *fakeSSM) GetParameter(_ context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("GetParameter %s", aws.ToString(in.Name))
	name, sel, _ := strings.Cut(aws.ToString(in.Name), ":")
	p := f.params[name]
	if p == nil {
		return nil, notFound(name)
	}
	n := len(p.history)
	if sel != "" {
		n, _ = strconv.Atoi(sel)
		if n < 1 || n > len(p.history) {
			return nil, &ssmtypes.ParameterVersionNotFound{Message: aws.String("no version " + sel)}
		}
	}
	v := p.history[n-1]
	value := string(v.value)
	if v.typ == ssmtypes.ParameterTypeSecureString && !aws.ToBool(in.WithDecryption) {
		value = "AQICAH-encrypted"
	}
	return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Name: aws.String(name), ARN: aws.String(f.arn(name)), Type: v.typ,
		Value: aws.String(value), Version: int64(n), DataType: aws.String(orText(v.dataType))}}, nil
}

func (f *fakeSSM) GetParametersByPath(_ context.Context, in *ssm.GetParametersByPathInput, _ ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	path := aws.ToString(in.Path)
	f.calls.Addf("GetParametersByPath %s", path)
	if strings.HasSuffix(path, "/") && path != "/" {
		return nil, &ssmtypes.ValidationException{Message: aws.String("a path must not end in /")}
	}
	var names []string
	for _, n := range slices.Sorted(maps.Keys(f.params)) {
		rest, ok := strings.CutPrefix(n, path+"/")
		if ok && (aws.ToBool(in.Recursive) || !strings.Contains(rest, "/")) && n > aws.ToString(in.NextToken) {
			names = append(names, n)
		}
	}
	out := &ssm.GetParametersByPathOutput{}
	for i, n := range names {
		if i == 2 { // pages of two
			out.NextToken = aws.String(names[i-1])
			break
		}
		out.Parameters = append(out.Parameters, ssmtypes.Parameter{Name: aws.String(n)})
	}
	return out, nil
}

func (f *fakeSSM) DescribeParameters(_ context.Context, in *ssm.DescribeParametersInput, _ ...func(*ssm.Options)) (*ssm.DescribeParametersOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("DescribeParameters")
	out := &ssm.DescribeParametersOutput{}
	for _, n := range slices.Sorted(maps.Keys(f.params)) {
		if len(in.ParameterFilters) > 0 && !slices.Contains(in.ParameterFilters[0].Values, n) {
			continue
		}
		v := f.params[n].history[len(f.params[n].history)-1]
		m := ssmtypes.ParameterMetadata{Name: aws.String(n), Type: v.typ, Version: int64(len(f.params[n].history)), Tier: ssmtypes.ParameterTierStandard}
		if v.description != "" {
			m.Description = aws.String(v.description)
		}
		if v.typ == ssmtypes.ParameterTypeSecureString {
			m.KeyId = aws.String(v.keyID)
			if v.keyID == "" {
				m.KeyId = aws.String(defaultSSMKey)
			}
		}
		out.Parameters = append(out.Parameters, m)
	}
	return out, nil
}

func (f *fakeSSM) ListTagsForResource(_ context.Context, in *ssm.ListTagsForResourceInput, _ ...func(*ssm.Options)) (*ssm.ListTagsForResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("ListTagsForResource %s", aws.ToString(in.ResourceId))
	p := f.params[aws.ToString(in.ResourceId)]
	if p == nil {
		return nil, &ssmtypes.InvalidResourceId{Message: aws.String("no such resource")}
	}
	out := &ssm.ListTagsForResourceOutput{}
	for _, k := range slices.Sorted(maps.Keys(p.tags)) {
		out.TagList = append(out.TagList, ssmtypes.Tag{Key: aws.String(k), Value: aws.String(p.tags[k])})
	}
	return out, nil
}

func (f *fakeSSM) PutParameter(_ context.Context, in *ssm.PutParameterInput, _ ...func(*ssm.Options)) (*ssm.PutParameterOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.Name)
	f.calls.Addf("PutParameter %s %s overwrite=%t", name, in.Type, aws.ToBool(in.Overwrite))
	f.puts++
	switch p := f.params[name]; {
	case f.echo:
		return nil, &ssmtypes.ValidationException{Message: aws.String(fmt.Sprintf("Value '%s' at 'value' failed to satisfy constraint", aws.ToString(in.Value)))}
	case f.puts == f.failPut:
		return nil, fmt.Errorf("connection reset by peer")
	case p != nil && !aws.ToBool(in.Overwrite):
		return nil, &ssmtypes.ParameterAlreadyExists{Message: aws.String("The parameter already exists.")}
	case p == nil:
		f.params[name] = &fakeParam{tags: map[string]string{}}
	}
	keyID := aws.ToString(in.KeyId)
	if in.Type != ssmtypes.ParameterTypeSecureString {
		keyID = ""
	}
	p := f.params[name]
	p.history = append(p.history, param{name: name, typ: in.Type, value: []byte(aws.ToString(in.Value)), description: aws.ToString(in.Description),
		keyID: keyID, dataType: aws.ToString(in.DataType), allowedPattern: aws.ToString(in.AllowedPattern)})
	return &ssm.PutParameterOutput{Version: int64(len(p.history))}, nil
}

func (f *fakeSSM) AddTagsToResource(_ context.Context, in *ssm.AddTagsToResourceInput, _ ...func(*ssm.Options)) (*ssm.AddTagsToResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("AddTagsToResource %s", aws.ToString(in.ResourceId))
	p := f.params[aws.ToString(in.ResourceId)]
	if p == nil {
		return nil, &ssmtypes.InvalidResourceId{Message: aws.String("no such resource")}
	}
	for _, t := range in.Tags {
		p.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return &ssm.AddTagsToResourceOutput{}, nil
}

func (f *fakeSSM) RemoveTagsFromResource(_ context.Context, in *ssm.RemoveTagsFromResourceInput, _ ...func(*ssm.Options)) (*ssm.RemoveTagsFromResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("RemoveTagsFromResource %s %v", aws.ToString(in.ResourceId), in.TagKeys)
	p := f.params[aws.ToString(in.ResourceId)]
	if p == nil {
		return nil, &ssmtypes.InvalidResourceId{Message: aws.String("no such resource")}
	}
	for _, k := range in.TagKeys {
		delete(p.tags, k)
	}
	return &ssm.RemoveTagsFromResourceOutput{}, nil
}

func (f *fakeSSM) DeleteParameter(_ context.Context, in *ssm.DeleteParameterInput, _ ...func(*ssm.Options)) (*ssm.DeleteParameterOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("DeleteParameter %s", aws.ToString(in.Name))
	if f.params[aws.ToString(in.Name)] == nil {
		return nil, notFound(aws.ToString(in.Name))
	}
	delete(f.params, aws.ToString(in.Name))
	return &ssm.DeleteParameterOutput{}, nil
}

var (
	_ ParameterTargetAPI = (*fakeSSM)(nil)
	_ ParameterTargetAPI = (*ssm.Client)(nil)
)
