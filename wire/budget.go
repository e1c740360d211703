package wire

import "io"

// Budget reads from an underlying reader within a byte budget that its
// user sets before each value it decodes (Limit) and lifts for what needs
// none (Unlimited), so that what a decoder holds of one value is bounded
// by the budget whatever lengths and counts the peer declares. It sits
// under a Reader and counts the bytes read from the source, so a value may
// be charged for up to one read buffer of what follows it.
type Budget struct {
	src  io.Reader
	over func(what string, max int64) error
	left int64 // no limit while negative
	max  int64
	what string
}

// NewBudget returns a Budget reading src, without a limit until Limit;
// over makes the error of a value that goes past its budget (it should
// match ErrTooLarge, and is called only then).
func NewBudget(src io.Reader, over func(what string, max int64) error) *Budget {
	return &Budget{src: src, over: over, left: -1}
}

// Limit gives what is read next, named what for the error, a budget of
// max bytes (no limit if max <= 0).
func (b *Budget) Limit(what string, max int64) {
	if max <= 0 {
		b.left = -1
		return
	}
	b.left, b.max, b.what = max, max, what
}

// Unlimited lifts the budget.
func (b *Budget) Unlimited() { b.left = -1 }

// Read reads from the source within the budget; past it, it fails with
// the error over makes.
func (b *Budget) Read(p []byte) (int, error) {
	if b.left < 0 {
		return b.src.Read(p)
	}
	if b.left == 0 {
		return 0, b.over(b.what, b.max)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.src.Read(p)
	if n > 0 {
		b.left -= int64(n)
	}
	return n, err
}
