package wire_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"testing/iotest"

	"github.com/nixwire/nixwire/wire"
)

func TestBudget(t *testing.T) {
	over := func(what string, max int64) error {
		return fmt.Errorf("%w: %s over %d", wire.ErrTooLarge, what, max)
	}
	src := bytes.NewReader(bytes.Repeat([]byte("x"), 100))
	b := wire.NewBudget(iotest.OneByteReader(src), over)
	if n, err := io.ReadFull(b, make([]byte, 10)); n != 10 || err != nil {
		t.Fatalf("without a limit: %d, %v", n, err)
	}
	b.Limit("value", 5)
	n, err := io.ReadFull(b, make([]byte, 10))
	if n != 5 || !errors.Is(err, wire.ErrTooLarge) || err.Error() != "wire: length above limit: value over 5" {
		t.Fatalf("past a budget of 5: %d, %v", n, err)
	}
	b.Limit("none", 0) // no limit
	if n, err := io.ReadFull(b, make([]byte, 20)); n != 20 || err != nil {
		t.Fatalf("Limit(0): %d, %v", n, err)
	}
	b.Limit("value", 1000)
	b.Unlimited()
	if got, err := io.ReadAll(b); len(got) != 65 || err != nil {
		t.Fatalf("after Unlimited: %d bytes, %v", len(got), err)
	}
}
