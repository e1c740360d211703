package sqlitestore

import (
	"context"
	"sync"
)

// keyedMutex is a set of mutexes by key, created on demand and dropped when
// nobody holds or waits for them, so that its memory follows the number of
// uploads in progress, not the number of paths ever uploaded.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyedEntry
}

type keyedEntry struct {
	held  chan struct{} // a one-slot semaphore: full while locked
	users int           // holding or waiting
}

// lock locks key, waiting until ctx is done at most, and returns the
// function that unlocks it (or ctx.Err(), holding nothing).
func (k *keyedMutex) lock(ctx context.Context, key string) (unlock func(), err error) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyedEntry{}
	}
	e := k.m[key]
	if e == nil {
		e = &keyedEntry{held: make(chan struct{}, 1)}
		k.m[key] = e
	}
	e.users++
	k.mu.Unlock()
	leave := func() {
		k.mu.Lock()
		if e.users--; e.users == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
	select {
	case e.held <- struct{}{}:
	case <-ctx.Done():
		leave()
		return nil, ctx.Err()
	}
	return func() {
		<-e.held
		leave()
	}, nil
}
