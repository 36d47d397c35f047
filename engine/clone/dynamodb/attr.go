package dynamodb

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// item is one DynamoDB item, or a key.
type item = map[string]types.AttributeValue

// encodeItem is an item in DynamoDB's own JSON form ({"S": "x"}), with set
// members sorted so equal items encode equally: the canonical form resume
// keys are saved in and checksums are taken over. encoding/json sorts map
// keys.
func encodeItem(it item) map[string]any {
	out := make(map[string]any, len(it))
	for k, v := range it {
		out[k] = encodeValue(v)
	}
	return out
}

func encodeValue(v types.AttributeValue) any {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": x.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": x.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": x.Value} // encoding/json writes base64
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": x.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": x.Value}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": slices.Sorted(slices.Values(x.Value))}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": slices.Sorted(slices.Values(x.Value))}
	case *types.AttributeValueMemberBS:
		enc := make([]string, len(x.Value))
		for i, b := range x.Value {
			enc[i] = base64.StdEncoding.EncodeToString(b)
		}
		return map[string]any{"BS": slices.Sorted(slices.Values(enc))}
	case *types.AttributeValueMemberL:
		l := make([]any, len(x.Value))
		for i, e := range x.Value {
			l[i] = encodeValue(e)
		}
		return map[string]any{"L": l}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": encodeItem(x.Value)}
	}
	return map[string]any{"?": fmt.Sprintf("%T", v)}
}

// canonical is an item's canonical JSON.
func canonical(it item) []byte {
	b, _ := json.Marshal(encodeItem(it))
	return b
}

// keyOf is the part of an item its table is keyed by.
func keyOf(it item, keys []keyElem) item {
	k := make(item, len(keys))
	for _, e := range keys {
		k[e.Name] = it[e.Name]
	}
	return k
}

// wireKey is a key as a resume record holds it: key attributes are S, N or
// B only.
type wireKey map[string]map[string]string

func toWire(k item) (wireKey, error) {
	if len(k) == 0 {
		return nil, nil
	}
	out := wireKey{}
	for name, v := range k {
		switch x := v.(type) {
		case *types.AttributeValueMemberS:
			out[name] = map[string]string{"S": x.Value}
		case *types.AttributeValueMemberN:
			out[name] = map[string]string{"N": x.Value}
		case *types.AttributeValueMemberB:
			out[name] = map[string]string{"B": base64.StdEncoding.EncodeToString(x.Value)}
		default:
			return nil, fmt.Errorf("key attribute %s is a %T, not S, N or B", name, v)
		}
	}
	return out, nil
}

func fromWire(w wireKey) (item, error) {
	if len(w) == 0 {
		return nil, nil
	}
	out := item{}
	for _, name := range slices.Sorted(maps.Keys(w)) {
		v := w[name]
		switch {
		case hasKey(v, "S"):
			out[name] = &types.AttributeValueMemberS{Value: v["S"]}
		case hasKey(v, "N"):
			out[name] = &types.AttributeValueMemberN{Value: v["N"]}
		case hasKey(v, "B"):
			b, err := base64.StdEncoding.DecodeString(v["B"])
			if err != nil {
				return nil, fmt.Errorf("key attribute %s: %w", name, err)
			}
			out[name] = &types.AttributeValueMemberB{Value: b}
		default:
			return nil, fmt.Errorf("key attribute %s has no S, N or B value", name)
		}
	}
	return out, nil
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}
