package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/store"
	"github.com/nixwire/nixwire/store/storetest"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

// TestTempRootsBounded: temporary roots are kept in memory, so their
// number is bounded, per owner and in all; a removed owner's roots make
// room again, and adding a root twice costs nothing.
func TestTempRootsBounded(t *testing.T) {
	s, err := Open(t.TempDir(), Options{MaxTempRoots: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	path := func(owner string, i int) messages.StorePath {
		return storetest.Path(s.StoreDir(), fmt.Sprint(owner, i), "root")
	}
	for i := range 10 {
		if err := s.AddTempRoot(ctx, "a", path("a", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddTempRoot(ctx, "a", path("a", 0)); err != nil {
		t.Fatalf("a root added again: %v", err)
	}
	if err := s.AddTempRoot(ctx, "a", path("a", 10)); !errors.Is(err, store.ErrLimit) {
		t.Fatalf("the 11th root of one owner: %v, want store.ErrLimit", err)
	}
	for _, o := range []string{"b", "c", "d"} {
		for i := range 10 {
			if err := s.AddTempRoot(ctx, o, path(o, i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.AddTempRoot(ctx, "e", path("e", 0)); !errors.Is(err, store.ErrLimit) {
		t.Fatalf("past four owners' worth in all: %v, want store.ErrLimit", err)
	}
	s.RemoveTempRoots(ctx, "a")
	if err := s.AddTempRoot(ctx, "e", path("e", 0)); err != nil {
		t.Fatalf("after an owner's roots were removed: %v", err)
	}
}
