package server

import (
	"context"
	"testing"
)

func TestSession(t *testing.T) {
	a, b := newSession(true), newSession(false)
	if a.ID() == b.ID() {
		t.Errorf("two sessions share id %d", a.ID())
	}
	if !a.Trusted() || b.Trusted() {
		t.Errorf("Trusted = %v, %v; want true, false", a.Trusted(), b.Trusted())
	}
	var order []int
	a.OnClose(func() { order = append(order, 1) })
	a.OnClose(func() { order = append(order, 2) })
	a.close()
	a.close()                                      // runs nothing again
	a.OnClose(func() { order = append(order, 3) }) // after the end: at once
	if len(order) != 3 || order[0] != 1 || order[1] != 2 || order[2] != 3 {
		t.Errorf("callbacks ran as %v; want [1 2 3]", order)
	}
	if SessionFrom(context.Background()) != nil {
		t.Error("SessionFrom of a context without a session is not nil")
	}
}
