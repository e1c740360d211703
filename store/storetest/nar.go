// Package storetest is the conformance suite every store.Store backend
// must pass ([Run]), and the helpers it uses to make NARs and store paths.
package storetest

import (
	"crypto/sha256"
	"io"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/store"
	"github.com/nixwire/nixwire/storepath"
)

// FileNAR returns the NAR of a single regular file holding contents.
func FileNAR(contents []byte) []byte { return nar.FileNAR(false, contents) }

// Info returns the metadata of an upload of nar as path with refs.
func Info(path messages.StorePath, nar []byte, refs ...messages.StorePath) *messages.ValidPathInfo {
	return &messages.ValidPathInfo{
		Path:       path,
		NarHash:    store.FormatNarHash(sha256.Sum256(nar)),
		NarSize:    uint64(len(nar)),
		References: refs,
	}
}

// emptyFileNAR is the size of the NAR of an empty regular file: the NAR
// of a file of n bytes is that, n, and the padding of n to 8.
var emptyFileNAR = int64(len(nar.FileNAR(false, nil)))

// NARSize returns the size of the NAR of a regular file of n bytes.
func NARSize(n int64) int64 { return emptyFileNAR + n + (-n & 7) }

// NewFileNARReader streams the NAR of a regular file of size bytes read
// from contents (written by nar.Writer in a goroutine), without holding
// the file in memory.
func NewFileNARReader(size int64, contents io.Reader) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		w := nar.NewWriter(pw)
		err := w.File(false, uint64(size))
		if err == nil {
			_, err = w.ReadFrom(io.LimitReader(contents, size))
		}
		if err == nil {
			err = w.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr
}

// Path returns a well-formed store path in storeDir named name, with a
// digest derived from seed (any string). It is not the path Nix would
// compute for any content: the store takes paths as given.
func Path(storeDir, seed, name string) messages.StorePath {
	sum := sha256.Sum256([]byte(seed))
	p, err := storepath.New([storepath.DigestSize]byte(sum[:storepath.DigestSize]), name)
	if err != nil {
		panic("storetest.Path: " + err.Error()) // a test's own constant name
	}
	return messages.StorePath(storepath.Dir(storeDir).String(p))
}
