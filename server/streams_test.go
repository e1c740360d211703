package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/wire"
)

// narHandler keeps uploaded NARs in memory and serves them back. An upload
// of a path whose name contains "fail" reads a few bytes and fails.
type narHandler struct {
	messages.UnimplementedWorkerHandler
	mu   sync.Mutex
	nars map[messages.StorePath][]byte
}

func (h *narHandler) AddToStoreNar(ctx context.Context, req *messages.AddToStoreNarRequest, in io.Reader) error {
	if strings.Contains(string(req.Info.Path), "fail") {
		io.ReadFull(in, make([]byte, 10))
		return &Error{Message: "refusing " + string(req.Info.Path)}
	}
	b, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.nars == nil {
		h.nars = make(map[messages.StorePath][]byte)
	}
	h.nars[req.Info.Path] = b
	return nil
}

func (h *narHandler) NarFromPath(ctx context.Context, req *messages.NarFromPathRequest) (wire.StreamFunc, error) {
	h.mu.Lock()
	b, ok := h.nars[req.Path]
	h.mu.Unlock()
	if !ok {
		return nil, &Error{Message: "path '" + string(req.Path) + "' is not valid"}
	}
	return func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}, nil
}

func infoFor(path messages.StorePath, n []byte) *messages.ValidPathInfo {
	sum := sha256.Sum256(n)
	return &messages.ValidPathInfo{Path: path, NarHash: messages.NarHash(hex.EncodeToString(sum[:])), NarSize: uint64(len(n))}
}

// TestUploadsEveryTransport sends NARs at the versions of each transport
// (raw before 1.21, pulled with STDERR_READ at 1.21 and 1.22, framed from
// 1.23), with a handler that fails half-way in between: the connection
// stays in sync and the NAR comes back byte for byte.
func TestUploadsEveryTransport(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 20000) // several pulls and frames
	for _, v := range []wire.Version{wire.V(1, 18), wire.V(1, 20), wire.V(1, 21), wire.V(1, 22), wire.V(1, 23), wire.V(1, 34), wire.V(1, 38)} {
		h := &narHandler{}
		c, err := client.Handshake(start(t, newTestServer(&testHandler{}).with(messages.NewWorkerDispatcher(h))), client.Options{MaxVersion: v})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for i, contents := range [][]byte{[]byte("hello"), big} {
			n := nar.FileNAR(i == 1, contents)
			failing := messages.StorePath("/nix/store/" + strings.Repeat("f", 32) + "-fail")
			err := c.AddToStoreNar(ctx, infoFor(failing, n), bytes.NewReader(n), client.ImportOptions{DontCheckSigs: true})
			var de *client.DaemonError
			if !errors.As(err, &de) || !strings.Contains(de.Message, "refusing") {
				t.Fatalf("%s: failing upload: %v, want the handler's error", v, err)
			}
			path := messages.StorePath("/nix/store/" + strings.Repeat("a", 32) + "-ok")
			if err := c.AddToStoreNar(ctx, infoFor(path, n), bytes.NewReader(n), client.ImportOptions{DontCheckSigs: true}); err != nil {
				t.Fatalf("%s: upload after a failed one: %v", v, err)
			}
			var back bytes.Buffer
			if _, err := c.NarFromPath(ctx, path, &back); err != nil {
				t.Fatalf("%s: NarFromPath: %v", v, err)
			}
			if !bytes.Equal(back.Bytes(), n) {
				t.Errorf("%s: NAR of %d bytes came back as %d different bytes", v, len(n), back.Len())
			}
		}
		c.Close()
	}
}
