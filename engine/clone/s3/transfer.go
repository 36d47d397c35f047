package s3

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// same says whether the target already holds the source object: same key,
// size and ETag. When the ETags differ only because one side was uploaded
// in parts, the ETag a streamed copy stored in the target's metadata
// decides (one HeadObject, for such objects only).
func (s *bucketStep) same(ctx context.Context, p pair) (bool, error) {
	if p.dst.Key == "" || p.dst.Size != p.src.Size {
		return false, nil
	}
	if p.dst.ETag == p.src.ETag {
		return true, nil
	}
	if !multipartETag(p.dst.ETag) && !multipartETag(p.src.ETag) {
		return false, nil
	}
	out, err := s.cfg.Target.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.target), Key: aws.String(p.src.Key)})
	if err != nil {
		return false, fmt.Errorf("read s3://%s/%s: %w", s.target, p.src.Key, err)
	}
	return out.Metadata[sourceETagMeta] == unquote(p.src.ETag), nil
}

func unquote(etag string) string { return strings.Trim(etag, `"`) }

// serverSide copies one object with CopyObject: the bytes never leave S3.
// Objects uploaded in parts stream instead, so the target's metadata can
// carry their ETag (CopyObject gives them a new one).
func (c *copier) serverSide(ctx context.Context, o object) (bool, error) {
	if !c.serverSideOK.Load() || multipartETag(o.ETag) || o.Size > DefaultMaxServerSideCopy {
		return false, nil
	}
	src := url.PathEscape(c.s.cfg.Name) + "/" + escapeKey(o.Key)
	_, err := c.s.cfg.Target.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(c.s.target), Key: aws.String(o.Key),
		CopySource: aws.String(src), CopySourceIfMatch: aws.String(o.ETag)})
	switch code := errCode(err); {
	case err == nil:
		return true, nil
	case code == "AccessDenied" || code == "Forbidden" || code == "NotImplemented" || code == "NoSuchBucket":
		// The target cannot read the source (the source bucket exists, it
		// was just read, so NoSuchBucket means the target cannot see it):
		// stream this object and every later one, and say so once.
		if c.serverSideOK.Swap(false) {
			c.note(fmt.Sprintf("CopyObject from %s into %s was refused (%s): streaming the objects through ferry instead", c.s.cfg.Name, c.s.target, code))
		}
		return false, nil
	default:
		return false, fmt.Errorf("copy s3://%s/%s: %w", c.s.cfg.Name, o.Key, err)
	}
}

func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// stream copies one object through ferry: GetObject into PutObject, or
// into a multipart upload above MultipartAbove. Memory holds one body
// (small objects) or one part buffer.
func (c *copier) stream(ctx context.Context, o object) error {
	s := c.s
	out, err := s.cfg.Source.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.cfg.Name), Key: aws.String(o.Key), IfMatch: aws.String(o.ETag)})
	if err != nil {
		return fmt.Errorf("read s3://%s/%s: %w", s.cfg.Name, o.Key, err)
	}
	defer out.Body.Close()
	meta := objectMeta{contentType: out.ContentType, cacheControl: out.CacheControl, disposition: out.ContentDisposition,
		encoding: out.ContentEncoding, language: out.ContentLanguage, user: maps.Clone(out.Metadata)}
	if meta.user == nil {
		meta.user = map[string]string{}
	}
	meta.user[sourceETagMeta] = unquote(o.ETag)
	if o.Size > s.cfg.MultipartAbove {
		return c.multipart(ctx, o, out.Body, meta)
	}
	body, err := io.ReadAll(io.LimitReader(out.Body, o.Size+1))
	if err != nil {
		return fmt.Errorf("read s3://%s/%s: %w", s.cfg.Name, o.Key, err)
	}
	if int64(len(body)) != o.Size {
		return fmt.Errorf("s3://%s/%s changed while it was copied (%d bytes, listed %d); apply again", s.cfg.Name, o.Key, len(body), o.Size)
	}
	in := &s3.PutObjectInput{Bucket: aws.String(s.target), Key: aws.String(o.Key), Body: bytes.NewReader(body), ContentLength: aws.Int64(o.Size)}
	meta.toPut(in)
	if _, err := s.cfg.Target.PutObject(ctx, in); err != nil {
		return fmt.Errorf("write s3://%s/%s: %w", s.target, o.Key, err)
	}
	return nil
}

// objectMeta is the metadata a streamed copy carries over.
type objectMeta struct {
	contentType, cacheControl, disposition, encoding, language *string
	user                                                       map[string]string
}

func (m objectMeta) toPut(in *s3.PutObjectInput) {
	in.ContentType, in.CacheControl, in.ContentDisposition = m.contentType, m.cacheControl, m.disposition
	in.ContentEncoding, in.ContentLanguage, in.Metadata = m.encoding, m.language, m.user
}

// multipart uploads body in PartSize parts, one buffer at a time, and
// aborts the upload on any failure so no parts are left billed.
func (c *copier) multipart(ctx context.Context, o object, body io.Reader, meta objectMeta) error {
	s := c.s
	up, err := s.cfg.Target.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(s.target), Key: aws.String(o.Key),
		ContentType: meta.contentType, CacheControl: meta.cacheControl, ContentDisposition: meta.disposition,
		ContentEncoding: meta.encoding, ContentLanguage: meta.language, Metadata: meta.user})
	if err != nil {
		return fmt.Errorf("start a multipart upload of s3://%s/%s: %w", s.target, o.Key, err)
	}
	parts, err := c.uploadParts(ctx, o, up.UploadId, body)
	if err == nil {
		_, err = s.cfg.Target.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(s.target), Key: aws.String(o.Key),
			UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	}
	if err != nil {
		_, _ = s.cfg.Target.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{Bucket: aws.String(s.target),
			Key: aws.String(o.Key), UploadId: up.UploadId})
		return fmt.Errorf("multipart copy of s3://%s/%s into %s (aborted): %w", s.cfg.Name, o.Key, s.target, err)
	}
	return nil
}

func (c *copier) uploadParts(ctx context.Context, o object, id *string, body io.Reader) ([]types.CompletedPart, error) {
	buf := make([]byte, c.s.cfg.PartSize)
	var parts []types.CompletedPart
	var sent int64
	for n := int32(1); ; n++ {
		got, err := io.ReadFull(body, buf)
		if err == io.EOF && n > 1 {
			break
		}
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return nil, err
		}
		out, perr := c.s.cfg.Target.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(c.s.target), Key: aws.String(o.Key), UploadId: id,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(buf[:got]), ContentLength: aws.Int64(int64(got))})
		if perr != nil {
			return nil, fmt.Errorf("part %d: %w", n, perr)
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(n)})
		sent += int64(got)
		if err != nil { // the short last part
			break
		}
	}
	if sent != o.Size {
		return nil, fmt.Errorf("the object changed while it was copied (%d bytes, listed %d); apply again", sent, o.Size)
	}
	return parts, nil
}
