package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/wire"
)

// noReplyDispatcher takes AddToStoreNar's raw data stream and returns nil
// without replying: a broken Dispatcher of one's own.
type noReplyDispatcher struct{}

func (noReplyDispatcher) Serve(ctx context.Context, code uint64, ex wire.Exchange) error {
	if code == uint64(messages.OpSetOptions) {
		var st messages.ClientSettings
		if err := st.DecodeWire(ex.Reader(), ex.Proto()); err != nil {
			return err
		}
		ex.StartWork(&st)
		return wire.Unsupported("SetOptions")
	}
	if code != uint64(messages.OpAddToStoreNar) {
		return wire.Unsupported("x")
	}
	var req messages.AddToStoreNarRequest
	if err := req.DecodeWire(ex.Reader(), ex.Proto()); err != nil {
		return err
	}
	ex.StartWork(&req)
	if _, err := ex.RequestStream(wire.RawStream); err != nil {
		return err
	}
	time.Sleep(50 * time.Millisecond) // the NAR arrives, unread
	return nil
}

// TestNoReplyAbandonsUpload: an operation that ends without its reply
// ends the connection, and the goroutine copying its data ends too.
func TestNoReplyAbandonsUpload(t *testing.T) {
	sock := listen(t, &Server{Handler: noReplyDispatcher{}})
	data := nar.FileNAR(false, bytes.Repeat([]byte("x"), 200<<10))
	sum := sha256.Sum256(data)
	info := &messages.ValidPathInfo{Path: "/nix/store/00000000000000000000000000000000-x", NarHash: messages.NarHash(hex.EncodeToString(sum[:])), NarSize: uint64(len(data))}
	copying := func() int {
		buf := make([]byte, 1<<20)
		return strings.Count(string(buf[:runtime.Stack(buf, true)]), "newRawUpload")
	}
	for range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := client.DialUnix(ctx, sock, client.Options{MaxVersion: wire.V(1, 18)}) // a raw NAR after the request
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddToStoreNar(ctx, info, bytes.NewReader(data), client.ImportOptions{}); err == nil {
			t.Error("AddToStoreNar without a reply succeeded")
		}
		c.Close()
		cancel()
	}
	for deadline := time.Now().Add(5 * time.Second); copying() > 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines still copying abandoned uploads", copying())
		}
	}
}
