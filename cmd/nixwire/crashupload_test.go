package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/store"
	"github.com/nixwire/nixwire/store/storetest"
)

// expect is what the store must hold for a path.
type expect struct {
	narHash messages.NarHash
	narSize uint64
	refs    []messages.StorePath // sorted
	// fileSum is the SHA-256 of the path's one regular file, which serve
	// must have unpacked into the real store directory before it
	// answered; zero for paths nobody saw acknowledged.
	fileSum [sha256.Size]byte
}

// ledger records, across all kills, what the clients were told.
type ledger struct {
	mu    sync.Mutex
	acked map[messages.StorePath]expect
	order []messages.StorePath // acked, in order: references and samples
	fresh []messages.StorePath // acked since the last check
	// maybe are AddToStoreNar uploads cut off by a kill: after the
	// restart each is either absent or complete.
	maybe map[messages.StorePath]expect
	// never are uploads with a wrong NAR hash.
	never map[messages.StorePath]bool

	acknowledged, ackedLarge, promoted int
	ackedBytes                         uint64
}

// largeNAR is where a NAR counts as large: at least 1 MiB.
const largeNAR = 1 << 20

// maxStoreBytes stops random large uploads once the acknowledged ones add
// up to this much: the checks after each kill read the whole store, and
// beyond it they would take the time of the kills.
const maxStoreBytes = 64 << 20

// full reports whether the store holds maxStoreBytes of acknowledged NARs.
func (l *ledger) full() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ackedBytes >= maxStoreBytes
}

func newLedger() *ledger {
	return &ledger{acked: map[messages.StorePath]expect{}, maybe: map[messages.StorePath]expect{}, never: map[messages.StorePath]bool{}}
}

// ack records an upload whose call returned nil.
func (l *ledger) ack(p messages.StorePath, want expect) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acknowledged++
	l.ackedBytes += want.narSize
	if want.narSize >= largeNAR {
		l.ackedLarge++
	}
	l.add(p, want)
}

// add makes p a path that must stay valid as want says.
func (l *ledger) add(p messages.StorePath, want expect) {
	l.acked[p] = want
	l.order = append(l.order, p)
	l.fresh = append(l.fresh, p)
}

func (l *ledger) cutOff(p messages.StorePath, want expect) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.maybe[p] = want
}

func (l *ledger) refuse(p messages.StorePath) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.never[p] = true
}

// pickRefs returns up to three acknowledged paths to refer to.
func (l *ledger) pickRefs(rng *rand.Rand) []messages.StorePath {
	l.mu.Lock()
	defer l.mu.Unlock()
	var refs []messages.StorePath
	for n := rng.IntN(4); n > 0 && len(l.order) > 0; n-- {
		r := l.order[rng.IntN(len(l.order))]
		if !slices.Contains(refs, r) {
			refs = append(refs, r)
		}
	}
	return refs
}

// uploader is the clients of one iteration, uploading until the kill.
type uploader struct {
	ledger   *ledger
	sock     string
	iter     int
	killed   atomic.Bool  // set just before the SIGKILL: errors are expected from then on
	inFlight atomic.Int32 // calls under way
	// largeAcked is closed once a large upload has been acknowledged.
	largeAcked chan struct{}
	largeOnce  sync.Once
}

// run uploads over one connection until the server dies.
func (u *uploader) run(t *testing.T, worker int, src *rand.ChaCha8) {
	rng := rand.New(src)
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	c, err := client.DialUnix(ctx, u.sock, client.Options{})
	cancel()
	if err != nil {
		if !u.killed.Load() {
			t.Errorf("iteration %d: dial: %v", u.iter, err)
		}
		return
	}
	defer c.Close()
	for i := 0; !u.killed.Load(); i++ {
		large := u.iter == 1 && worker == 0 && i == 0 // see uploadUntilKilled
		if err := u.upload(t, c, rng, src, fmt.Sprint(u.iter, "/", worker, "/", i), large); err != nil {
			if !u.killed.Load() {
				t.Errorf("iteration %d: upload before the kill: %v", u.iter, err)
			}
			return
		}
	}
}

// upload sends one path, of one of the kinds below chosen at random, and
// records the outcome in the ledger. A large upload is of 1–4 MiB; one
// in twenty is large anyway until the store is full.
func (u *uploader) upload(t *testing.T, c *client.Conn, rng *rand.Rand, src *rand.ChaCha8, seed string, large bool) error {
	size := rng.IntN(64 << 10)
	if large || rng.IntN(20) == 0 && !u.ledger.full() {
		size = largeNAR + rng.IntN(3<<20)
	}
	contents, nar, want := randomNAR(src, size)
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	u.inFlight.Add(1)
	defer u.inFlight.Add(-1)
	p := storetest.Path(store.DefaultStoreDir, seed, "crash")
	k := rng.IntN(20)
	if large {
		k = 0 // an import: a hostile upload is never acknowledged
	}
	switch {
	case k == 9 || k == 10:
		return u.uploadMultiple(ctx, c, rng, src, seed, nar, want)
	case k < 11: // imported with metadata, some referring to earlier paths and itself
		refs := u.ledger.pickRefs(rng)
		if rng.IntN(2) == 0 {
			refs = append(refs, p)
		}
		info := storetest.Info(p, nar, refs...)
		want.refs = slices.Sorted(slices.Values(refs))
		if err := c.AddToStoreNar(ctx, info, bytes.NewReader(nar), client.ImportOptions{DontCheckSigs: true}); err != nil {
			u.ledger.cutOff(p, want)
			return err
		}
		u.acked(p, want)
	case k == 11: // a declared hash that is wrong: refused, and never registered
		info := storetest.Info(p, nar)
		info.NarHash = store.FormatNarHash(sha256.Sum256(nil))
		u.ledger.refuse(p)
		if err := c.AddToStoreNar(ctx, info, bytes.NewReader(nar), client.ImportOptions{DontCheckSigs: true}); err == nil {
			t.Errorf("AddToStoreNar of %s with a wrong NAR hash succeeded", p)
		}
		return c.Err()
	default: // content-addressed, the path computed by the server
		method, data := client.MethodNAR, nar
		if k >= 16 {
			method, data = client.MethodFlat, contents
		}
		info, err := c.AddToStore(ctx, "crash-ca", method, nil, false, bytes.NewReader(data))
		if err != nil {
			return err
		}
		if info.NarHash != want.narHash || info.NarSize != want.narSize {
			t.Errorf("AddToStore %s: reply says NAR %s, %d bytes; sent %s, %d bytes", method, info.NarHash, info.NarSize, want.narHash, want.narSize)
		}
		u.acked(info.Path, want)
	}
	return nil
}

// uploadMultiple imports the path named by seed (of nar) and one or two
// small paths more, each referring to the one before it, with one
// AddMultipleToStore. When the call fails, each of them may be there or
// not.
func (u *uploader) uploadMultiple(ctx context.Context, c *client.Conn, rng *rand.Rand, src *rand.ChaCha8, seed string, nar []byte, want expect) error {
	p := storetest.Path(store.DefaultStoreDir, seed, "crash")
	paths := []client.PathToAdd{{Info: storetest.Info(p, nar), NAR: bytes.NewReader(nar)}}
	wants := []expect{want}
	for i := range 1 + rng.IntN(2) {
		_, nar, want := randomNAR(src, rng.IntN(16<<10))
		prev := paths[len(paths)-1].Info.Path
		q := storetest.Path(store.DefaultStoreDir, fmt.Sprint(seed, "/", i), "crash")
		want.refs = []messages.StorePath{prev}
		paths = append(paths, client.PathToAdd{Info: storetest.Info(q, nar, prev), NAR: bytes.NewReader(nar)})
		wants = append(wants, want)
	}
	if err := c.AddMultipleToStore(ctx, paths, client.ImportOptions{DontCheckSigs: true}); err != nil {
		for i, pa := range paths {
			u.ledger.cutOff(pa.Info.Path, wants[i])
		}
		return err
	}
	for i, pa := range paths {
		u.acked(pa.Info.Path, wants[i])
	}
	return nil
}

// randomNAR returns random contents of size bytes, the NAR of a regular
// file holding them, and what the store must hold for it.
func randomNAR(src *rand.ChaCha8, size int) (contents, nar []byte, want expect) {
	contents = make([]byte, size)
	src.Read(contents)
	nar = storetest.FileNAR(contents)
	return contents, nar, expect{narHash: store.FormatNarHash(sha256.Sum256(nar)), narSize: uint64(len(nar)), fileSum: sha256.Sum256(contents)}
}

// acked records an acknowledged upload.
func (u *uploader) acked(p messages.StorePath, want expect) {
	u.ledger.ack(p, want)
	if want.narSize >= largeNAR {
		u.largeOnce.Do(func() { close(u.largeAcked) })
	}
}
