package nar

import (
	"bytes"
	"encoding/binary"
	"io"
)

// Writer builds a NAR from calls describing its nodes, checking each call
// against the grammar (entry names valid and strictly ascending, nesting
// and lengths within the scanner's limits, file contents of exactly the
// announced size), so that what it writes is always a NAR Copy accepts.
//
// The root node, and the node after each Entry, is one of File (then its
// contents through Write or ReadFrom), Symlink, or Directory (then Entry
// calls, each followed by its node, and EndDirectory). Close checks that
// the NAR is complete and flushes it:
//
//	w := nar.NewWriter(dst)
//	w.Directory()
//	w.Entry("hello")
//	w.File(false, 6)
//	io.WriteString(w, "hello\n")
//	w.EndDirectory()
//	err := w.Close()
//
// Tokens are collected in a buffer of 64 KiB; file contents larger than
// the buffer go to dst directly, so memory does not depend on file sizes.
// The first error (of dst, or of a call out of order) is sticky: every
// later call returns it. Errors of dst are returned unchanged; a call that
// would make the NAR invalid gives an *Error matching ErrInvalid, with the
// byte offset and the path of the node.
type Writer struct {
	dst  io.Writer
	bufp *[]byte
	buf  []byte
	out  int64 // bytes handed to dst
	err  error

	state  writerState
	left   uint64 // contents still to come, in stateContents
	size   uint64 // size of the current file
	path   []byte
	levels []level
}

type writerState uint8

const (
	stateNode     writerState = iota // a node is expected (root, or after Entry)
	stateDir                         // in a directory: Entry or EndDirectory
	stateContents                    // file contents are expected
	stateDone                        // the root node is complete
	stateClosed                      // Close was called
)

// NewWriter returns a Writer writing one NAR to dst.
func NewWriter(dst io.Writer) *Writer {
	bp := bufPool.Get().(*[]byte)
	w := &Writer{dst: dst, bufp: bp, buf: (*bp)[:0]}
	w.str(Magic)
	return w
}

// Size returns the number of bytes of NAR produced so far (written to dst
// or buffered); after a successful Close it is the NAR's size.
func (w *Writer) Size() int64 { return w.out + int64(len(w.buf)) }

// File starts a regular file node of size bytes, executable or not; its
// contents follow through Write or ReadFrom (none for size 0).
func (w *Writer) File(executable bool, size uint64) error {
	if err := w.startNode("File"); err != nil {
		return err
	}
	w.str("regular")
	if executable {
		w.str("executable")
		w.str("")
	}
	w.str("contents")
	w.u64(size)
	w.state, w.left, w.size = stateContents, size, size
	if size == 0 {
		w.endContents()
	}
	return w.err
}

// Write writes file contents of the current File. Writing more than the
// file's remaining size writes nothing and fails.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if w.state != stateContents {
		return 0, w.misuse("Write outside file contents")
	}
	if uint64(len(p)) > w.left {
		return 0, w.misuse("Write of " + itoa(uint64(len(p))) + " bytes exceeds the " + itoa(w.left) + " left of the file's size")
	}
	if len(p) <= cap(w.buf)-len(w.buf) {
		w.buf = append(w.buf, p...)
	} else {
		if w.flush() != nil {
			return 0, w.err
		}
		n, err := write(w.dst, p)
		w.out += int64(n)
		if err != nil {
			w.err = err
			return n, err
		}
	}
	w.left -= uint64(len(p))
	if w.left == 0 {
		w.endContents()
	}
	return len(p), w.err
}

// ReadFrom reads the rest of the current File's contents from r, exactly
// as many bytes as are left of its size (r may hold more; nothing past
// them is read). An r that ends early gives io.ErrUnexpectedEOF.
func (w *Writer) ReadFrom(r io.Reader) (int64, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.state != stateContents {
		return 0, w.misuse("ReadFrom outside file contents")
	}
	var total int64
	if rf, ok := w.dst.(io.ReaderFrom); ok && w.left > bufSize {
		// Let dst pull the contents itself (io.Copy's fast path: a
		// socket or file may splice them), limited to the file's size.
		if w.flush() != nil {
			return 0, w.err
		}
		n, err := rf.ReadFrom(io.LimitReader(r, int64(min(w.left, 1<<62))))
		if n < 0 || uint64(n) > w.left {
			n, err = 0, io.ErrNoProgress
		}
		w.out += n
		w.left -= uint64(n)
		total = n
		if err == nil && w.left > 0 && w.left <= 1<<62 {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			w.err = err
			return total, err
		}
	}
	for w.left > 0 {
		if len(w.buf) == cap(w.buf) && w.flush() != nil {
			return total, w.err
		}
		l := len(w.buf)
		m := int(min(w.left, uint64(cap(w.buf)-l)))
		n, err := r.Read(w.buf[l : l+m])
		if n < 0 || n > m {
			n, err = 0, io.ErrNoProgress
		}
		w.buf = w.buf[:l+n]
		w.left -= uint64(n)
		total += int64(n)
		if w.left == 0 {
			break
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			w.err = err
			return total, err
		}
	}
	w.endContents()
	return total, w.err
}

// endContents finishes the current file once all its contents are in.
func (w *Writer) endContents() {
	var zeros [8]byte
	w.reserve(8 + 8)
	w.buf = append(w.buf, zeros[:padLen(w.size)]...)
	w.str(")")
	w.endNode()
}

// Symlink writes a symbolic link node to target, which must be non-empty,
// hold no NUL byte and be at most MaxTargetLen bytes.
func (w *Writer) Symlink(target string) error {
	switch {
	case w.err != nil:
		return w.err
	case target == "":
		return w.misuse("empty symlink target")
	case len(target) > MaxTargetLen:
		return w.misuse("symlink target of " + itoa(uint64(len(target))) + " bytes exceeds the limit of " + itoa(MaxTargetLen))
	case containsNUL(target):
		return w.misuse("symlink target contains a NUL byte")
	}
	if err := w.startNode("Symlink"); err != nil {
		return err
	}
	w.str("symlink")
	w.str("target")
	w.str(target)
	w.str(")")
	w.endNode()
	return w.err
}

// Directory starts a directory node; Entry calls and EndDirectory follow.
func (w *Writer) Directory() error {
	if w.err == nil && len(w.levels) >= MaxDepth {
		return w.misuse("directories nested deeper than " + itoa(MaxDepth))
	}
	if err := w.startNode("Directory"); err != nil {
		return err
	}
	w.str("directory")
	w.levels = append(w.levels, level{base: len(w.path)})
	w.state = stateDir
	return w.err
}

// Entry starts the entry name in the current directory; its node follows.
// Names must be valid (not empty, ".", "..", without '/' or NUL, at most
// MaxNameLen bytes) and strictly ascending in byte order within a
// directory.
func (w *Writer) Entry(name string) error {
	if w.err != nil {
		return w.err
	}
	if w.state != stateDir {
		return w.misuse("Entry " + quote(name) + " outside a directory")
	}
	if len(name) > MaxNameLen {
		return w.misuse("entry name of " + itoa(uint64(len(name))) + " bytes exceeds the limit of " + itoa(MaxNameLen))
	}
	if msg := checkName(name); msg != "" {
		return w.misuse(msg)
	}
	lv := &w.levels[len(w.levels)-1]
	if lv.hasPrev {
		if prev := w.path[lv.start():]; name <= string(prev) {
			return w.misuse("entry names not in ascending order: " + quote(name) + " after " + quote(string(prev)))
		}
	}
	if n := pathLen(lv.base, name); n > MaxPathLen {
		return w.misuse("entry path of " + itoa(uint64(n)) + " bytes exceeds the limit of " + itoa(MaxPathLen))
	}
	p := w.path[:lv.base]
	if lv.base > 0 {
		p = append(p, '/')
	}
	w.path = append(p, name...)
	lv.hasPrev = true
	w.str("entry")
	w.str("(")
	w.str("name")
	w.str(name)
	w.str("node")
	w.state = stateNode
	return w.err
}

// EndDirectory ends the current directory.
func (w *Writer) EndDirectory() error {
	if w.err != nil {
		return w.err
	}
	if w.state != stateDir {
		return w.misuse("EndDirectory outside a directory")
	}
	w.str(")")
	lv := w.levels[len(w.levels)-1]
	w.levels = w.levels[:len(w.levels)-1]
	w.path = w.path[:lv.base]
	w.endNode()
	return w.err
}

// Close checks that the NAR is complete (the root node and every directory
// ended) and writes what is buffered to dst. It does not close dst. Close
// releases the Writer's buffer; later calls return the first result.
func (w *Writer) Close() error {
	if w.state == stateClosed {
		return w.err
	}
	if w.err == nil && w.state != stateDone {
		w.misuse("Close of an incomplete NAR")
	}
	if w.err == nil {
		w.flush()
	}
	w.state = stateClosed
	if w.bufp != nil {
		*w.bufp = w.buf[:0]
		bufPool.Put(w.bufp)
		w.bufp, w.buf = nil, nil
	}
	return w.err
}

// startNode checks that a node may come now and writes "(" "type"; what
// names the call for the error.
func (w *Writer) startNode(what string) error {
	if w.err != nil {
		return w.err
	}
	if w.state != stateNode {
		return w.misuse(what + " where no node is expected")
	}
	w.str("(")
	w.str("type")
	return w.err
}

// endNode moves on after a complete node: closes the entry around it, or
// completes the NAR.
func (w *Writer) endNode() {
	if len(w.levels) == 0 {
		w.state = stateDone
		return
	}
	w.str(")")
	w.state = stateDir
}

// misuse records a call that would make the NAR invalid.
func (w *Writer) misuse(msg string) error {
	if w.state == stateClosed && w.err == nil {
		return &Error{Offset: w.Size(), Err: &syntaxError{msg: msg + " after Close"}}
	}
	if w.err == nil {
		w.err = &Error{Offset: w.Size(), Path: string(w.path), Err: &syntaxError{msg: msg}}
	}
	return w.err
}

// reserve makes room for n bytes in buf, flushing it if needed.
func (w *Writer) reserve(n int) {
	if cap(w.buf)-len(w.buf) < n {
		w.flush()
	}
}

// str appends a string token. Tokens longer than the buffer (only names
// and targets up to 4 KiB, so never) would still fit after a flush.
func (w *Writer) str(s string) {
	w.reserve(8 + len(s) + 7)
	w.buf = binary.LittleEndian.AppendUint64(w.buf, uint64(len(s)))
	w.buf = append(w.buf, s...)
	var zeros [8]byte
	w.buf = append(w.buf, zeros[:padLen(uint64(len(s)))]...)
}

// u64 appends a length word.
func (w *Writer) u64(n uint64) {
	w.reserve(8)
	w.buf = binary.LittleEndian.AppendUint64(w.buf, n)
}

// flush hands the buffer to dst.
func (w *Writer) flush() error {
	if w.err != nil || len(w.buf) == 0 {
		w.buf = w.buf[:0]
		return w.err
	}
	n, err := write(w.dst, w.buf)
	w.out += int64(n)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = err
	}
	return err
}

// FileNAR returns the NAR of a single regular file with the given contents,
// built in memory: what AddToStore sends for a flat file before protocol
// 1.25, and what tests need.
func FileNAR(executable bool, contents []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(contents) + 200)
	w := NewWriter(&b)
	w.File(executable, uint64(len(contents)))
	w.Write(contents)
	w.Close() // cannot fail: the calls are in order and a bytes.Buffer takes everything
	return b.Bytes()
}

// containsNUL reports whether s holds a NUL byte.
func containsNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}
