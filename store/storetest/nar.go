// Package storetest is the conformance suite every store.Store backend
// must pass ([Run]), and the helpers it uses to make NARs and store paths.
package storetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"io"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/store"
)

// FileNAR returns the NAR of a single regular file holding contents.
func FileNAR(contents []byte) []byte {
	var b bytes.Buffer
	r := NewFileNARReader(int64(len(contents)), bytes.NewReader(contents))
	io.Copy(&b, r)
	return b.Bytes()
}

// Info returns the metadata of an upload of nar as path with refs.
func Info(path messages.StorePath, nar []byte, refs ...messages.StorePath) *messages.ValidPathInfo {
	return &messages.ValidPathInfo{
		Path:       path,
		NarHash:    store.FormatNarHash(sha256.Sum256(nar)),
		NarSize:    uint64(len(nar)),
		References: refs,
	}
}

// NARSize returns the size of the NAR of a regular file of n bytes.
func NARSize(n int64) int64 {
	return int64(len(narHead(n))) + n + int64(pad(n)) + int64(len(narTail()))
}

// NewFileNARReader streams the NAR of a regular file of size bytes read
// from contents, without holding the file in memory.
func NewFileNARReader(size int64, contents io.Reader) io.Reader {
	return io.MultiReader(
		bytes.NewReader(narHead(size)),
		io.LimitReader(contents, size),
		bytes.NewReader(make([]byte, pad(size))),
		bytes.NewReader(narTail()),
	)
}

func narHead(size int64) []byte {
	var b []byte
	for _, t := range []string{"nix-archive-1", "(", "type", "regular", "contents"} {
		b = appendToken(b, t)
	}
	return binary.LittleEndian.AppendUint64(b, uint64(size))
}

func narTail() []byte { return appendToken(nil, ")") }

func appendToken(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
	b = append(b, s...)
	return append(b, make([]byte, pad(int64(len(s))))...)
}

func pad(n int64) int { return int(-n & 7) }

// Path returns a well-formed store path in storeDir named name, with a
// hash part derived from seed (any string). It is not the path Nix would
// compute for any content: the store takes paths as given.
func Path(storeDir, seed, name string) messages.StorePath {
	const alphabet = "0123456789abcdfghijklmnpqrsvwxyz"
	sum := sha256.Sum256([]byte(seed))
	var h [store.HashPartLen]byte
	for i := range h {
		h[i] = alphabet[sum[i]%32]
	}
	return messages.StorePath(storeDir + "/" + string(h[:]) + "-" + name)
}
