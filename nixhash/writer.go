package nixhash

import "hash"

// Writer is an io.Writer that hashes what is written to it and counts it:
// write a NAR through it to get its narHash and narSize.
type Writer struct {
	algo Algorithm
	h    hash.Hash
	n    uint64
}

// NewWriter returns a Writer hashing with a. Like crypto.Hash.New it panics
// on an invalid a: algorithms come from constants or from ParseAlgorithm,
// so that is a programming error, not bad input.
func NewWriter(a Algorithm) *Writer {
	h := a.New()
	if h == nil {
		panic("nixhash: NewWriter with invalid algorithm " + a.String())
	}
	return &Writer{algo: a, h: h}
}

// Write hashes p; it never fails.
func (w *Writer) Write(p []byte) (int, error) {
	w.h.Write(p)
	w.n += uint64(len(p))
	return len(p), nil
}

// Sum returns the Hash of everything written so far.
func (w *Writer) Sum() Hash {
	h := Hash{algo: w.algo}
	w.h.Sum(h.digest[:0])
	return h
}

// Size returns the number of bytes written so far.
func (w *Writer) Size() uint64 { return w.n }

// Reset forgets everything written.
func (w *Writer) Reset() {
	w.h.Reset()
	w.n = 0
}
