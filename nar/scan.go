package nar

import (
	"encoding/binary"
	"io"
	"sync"
)

// Limits on what a NAR may hold. Nix sets none in the format, but its file
// system calls do: a path longer than PATH_MAX cannot be restored or dumped
// by Nix (nor by this package, which refuses it as they would fail). The
// limits keep the memory a hostile archive can make a scanner use bounded
// (the path of the current entry is at most MaxPathLen bytes).
const (
	// Magic is the string every NAR starts with.
	Magic = "nix-archive-1"
	// MaxNameLen is the longest directory entry name accepted, in bytes.
	MaxNameLen = 4096
	// MaxTargetLen is the longest symbolic link target accepted, in bytes.
	MaxTargetLen = 4096
	// MaxDepth is the deepest nesting of directories accepted.
	MaxDepth = 1024
	// MaxPathLen is the longest path of an entry inside the NAR ("a/b/c"),
	// in bytes: Linux's PATH_MAX less its NUL. The full path of a restored
	// entry is longer still, by the directory restored into.
	MaxPathLen = 4095
)

// maxKeyword bounds the length of keyword tokens ("nix-archive-1" is the
// longest), so that a wrong token is refused before its payload is read.
const maxKeyword = 16

// bufSize is the size of the scanner's buffer, through which tokens and
// file contents pass on their way to the destination.
const bufSize = 64 << 10

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, bufSize); return &b }}

// Copy reads exactly one NAR from src and writes its bytes unchanged to dst,
// checking the grammar as it goes. It reads nothing past the end of the NAR,
// so src may be a stream that carries more data (such as a *wire.Reader on
// a daemon connection). It returns the number of bytes written to dst, which
// is the NAR's size when err is nil.
//
// dst receives only bytes that have been checked; after an error it holds a
// prefix of the input. An error of dst is returned unchanged; every other
// error is an *Error (see ErrInvalid; an input that ends inside the NAR,
// even at its very start, gives io.ErrUnexpectedEOF).
func Copy(dst io.Writer, src io.Reader) (int64, error) {
	s := newScanner(src, dst, nil)
	defer s.release()
	err := s.run()
	return s.out, err
}

// Walk reads exactly one NAR from src, like Copy, and calls fn for each of
// its nodes. It returns the number of bytes read (the NAR's size when err
// is nil). An error of fn is returned unchanged; every other error is an
// *Error.
func Walk(src io.Reader, fn WalkFunc) (int64, error) {
	s := newScanner(src, nil, fn)
	defer s.release()
	err := s.run()
	return s.in, err
}

// level is an open directory.
type level struct {
	base    int  // len(scanner.path) when the directory was entered
	hasPrev bool // an entry was seen: scanner.path[start():] is its name
}

func (l level) start() int {
	if l.base == 0 {
		return 0
	}
	return l.base + 1
}

// scanner is the state of one scan. The grammar is parsed by recursive
// descent, the recursion bounded by MaxDepth.
type scanner struct {
	src io.Reader
	dst io.Writer // nil: output is discarded
	fn  WalkFunc  // nil: no callbacks

	bufp *[]byte
	buf  []byte // checked bytes not yet written to dst
	in   int64  // bytes consumed from src
	out  int64  // bytes written to dst

	path   []byte  // path of the current node, names separated by '/'
	levels []level // open directories
	err    error   // sticky error, set by the contents reader
}

func newScanner(src io.Reader, dst io.Writer, fn WalkFunc) *scanner {
	bp := bufPool.Get().(*[]byte)
	return &scanner{src: src, dst: dst, fn: fn, bufp: bp, buf: (*bp)[:0]}
}

func (s *scanner) release() {
	*s.bufp = s.buf[:0]
	bufPool.Put(s.bufp)
	s.bufp, s.buf = nil, nil
}

func (s *scanner) run() error {
	err := s.expect(Magic)
	if err == nil {
		err = s.node()
	}
	if ferr := s.flush(); err == nil {
		err = ferr
	}
	return err
}

// flush hands the checked bytes to dst.
func (s *scanner) flush() error {
	if len(s.buf) == 0 {
		return nil
	}
	if s.dst != nil {
		n, err := write(s.dst, s.buf)
		s.out += int64(n)
		if err != nil {
			s.buf = s.buf[:0]
			return err
		}
	}
	s.buf = s.buf[:0]
	return nil
}

// room makes n bytes of space at the end of buf.
func (s *scanner) room(n int) error {
	if cap(s.buf)-len(s.buf) < n {
		return s.flush()
	}
	return nil
}

// fail returns an *Error at offset off.
func (s *scanner) fail(off int64, err error) error {
	return &Error{Offset: off, Path: string(s.path), Err: err}
}

// invalid returns an *Error for a grammar violation at offset off.
func (s *scanner) invalid(off int64, msg string) error {
	return s.fail(off, &syntaxError{msg: msg})
}

// readFull reads len(p) bytes of the NAR; any end of input is unexpected.
func (s *scanner) readFull(p []byte) error {
	n, err := io.ReadFull(s.src, p)
	s.in += int64(n)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return s.fail(s.in, err)
	}
	return nil
}

// length reads the length word of a bytes packet into buf, after making
// room for reserve bytes there, without committing it; it returns the
// length and the offset of the packet.
func (s *scanner) length(reserve int) (uint64, int64, error) {
	off := s.in
	if err := s.room(reserve); err != nil {
		return 0, off, err
	}
	w := len(s.buf)
	if err := s.readFull(s.buf[w : w+8]); err != nil {
		return 0, off, err
	}
	return binary.LittleEndian.Uint64(s.buf[w : w+8]), off, nil
}

// token reads a string token of at most max bytes and commits it to buf.
// The payload it returns aliases buf and is valid until the next read. A
// longer token is refused after its length word, before its payload is
// read: then tok is nil, n its length and err nil.
func (s *scanner) token(max int) (tok []byte, n uint64, off int64, err error) {
	n, off, err = s.length(8 + max + 7)
	if err != nil || n > uint64(max) {
		return nil, n, off, err
	}
	w := len(s.buf)
	total := 8 + int(n) + padLen(n)
	if err := s.readFull(s.buf[w+8 : w+total]); err != nil {
		return nil, n, off, err
	}
	if !zero(s.buf[w+8+int(n) : w+total]) {
		return nil, n, off, s.invalid(off+8+int64(n), "non-zero padding after a string")
	}
	s.buf = s.buf[:w+total]
	return s.buf[w+8 : w+8+int(n)], n, off, nil
}

// keyword reads a token that is expected to be one of the grammar's
// keywords; want describes what was expected, for the error.
func (s *scanner) keyword(want string) ([]byte, int64, error) {
	tok, n, off, err := s.token(maxKeyword)
	if err == nil && tok == nil {
		err = s.invalid(off, "expected "+want+", got a string of "+itoa(n)+" bytes")
	}
	return tok, off, err
}

// expect reads a token that must be lit.
func (s *scanner) expect(lit string) error {
	tok, n, off, err := s.token(maxKeyword)
	if err == nil && tok == nil {
		err = s.invalid(off, "expected "+quote(lit)+", got a string of "+itoa(n)+" bytes")
	}
	if err != nil {
		return err
	}
	if string(tok) != lit {
		return s.invalid(off, "expected "+quote(lit)+", got "+quote(string(tok)))
	}
	return nil
}

// limited reads a token of at most max bytes, what for the error.
func (s *scanner) limited(max int, what string) ([]byte, int64, error) {
	tok, n, off, err := s.token(max)
	if err == nil && tok == nil {
		err = s.invalid(off, what+" of "+itoa(n)+" bytes exceeds the limit of "+itoa(uint64(max)))
	}
	return tok, off, err
}

// node reads "(" "type" <type> ... ")".
func (s *scanner) node() error {
	if err := s.expect("("); err != nil {
		return err
	}
	if err := s.expect("type"); err != nil {
		return err
	}
	tok, off, err := s.keyword("a node type")
	if err != nil {
		return err
	}
	switch string(tok) {
	case "regular":
		return s.regular()
	case "symlink":
		return s.symlink()
	case "directory":
		return s.directory()
	}
	return s.invalid(off, "unknown node type "+quote(string(tok)))
}

// regular reads [ "executable" "" ] "contents" <bytes> ")".
func (s *scanner) regular() error {
	tok, off, err := s.keyword(`"executable" or "contents"`)
	if err != nil {
		return err
	}
	exec := string(tok) == "executable"
	if exec {
		if err := s.expect(""); err != nil {
			return err
		}
		if tok, off, err = s.keyword(`"contents"`); err != nil {
			return err
		}
	}
	if string(tok) != "contents" {
		want := `"contents"`
		if !exec {
			want = `"executable" or "contents"`
		}
		return s.invalid(off, "expected "+want+", got "+quote(string(tok)))
	}
	n, _, err := s.length(8)
	if err != nil {
		return err
	}
	s.buf = s.buf[:len(s.buf)+8]
	left := n
	if s.fn != nil {
		h := &Header{Path: string(s.path), Type: TypeRegular, Executable: exec, Size: n, Offset: s.in}
		cr := &contentsReader{s: s, left: n}
		err := s.fn(h, cr)
		cr.s = nil
		if s.err != nil {
			return s.err
		}
		if err != nil {
			return err
		}
		left = cr.left
	}
	if err := s.contents(left); err != nil {
		return err
	}
	if err := s.padding(n); err != nil {
		return err
	}
	return s.expect(")")
}

// contents streams n bytes of file contents through buf.
func (s *scanner) contents(n uint64) error {
	for n > 0 {
		if len(s.buf) == cap(s.buf) {
			if err := s.flush(); err != nil {
				return err
			}
		}
		w := len(s.buf)
		m := int(min(n, uint64(cap(s.buf)-w)))
		if err := s.readFull(s.buf[w : w+m]); err != nil {
			return err
		}
		s.buf = s.buf[:w+m]
		n -= uint64(m)
	}
	return nil
}

// padding reads and checks the padding after a payload of size n.
func (s *scanner) padding(size uint64) error {
	pad := padLen(size)
	if pad == 0 {
		return nil
	}
	if err := s.room(pad); err != nil {
		return err
	}
	w := len(s.buf)
	off := s.in
	if err := s.readFull(s.buf[w : w+pad]); err != nil {
		return err
	}
	if !zero(s.buf[w : w+pad]) {
		return s.invalid(off, "non-zero padding after file contents")
	}
	s.buf = s.buf[:w+pad]
	return nil
}

// symlink reads "target" <target> ")".
func (s *scanner) symlink() error {
	if err := s.expect("target"); err != nil {
		return err
	}
	tok, off, err := s.limited(MaxTargetLen, "symlink target")
	if err != nil {
		return err
	}
	switch {
	case len(tok) == 0:
		return s.invalid(off, "empty symlink target")
	case indexByte(tok, 0) >= 0:
		return s.invalid(off, "symlink target contains a NUL byte")
	}
	if s.fn != nil {
		h := &Header{Path: string(s.path), Type: TypeSymlink, Target: string(tok)}
		if err := s.fn(h, nil); err != nil {
			return err
		}
	}
	return s.expect(")")
}

// directory reads { "entry" "(" "name" <name> "node" <node> ")" } ")".
func (s *scanner) directory() error {
	if len(s.levels) >= MaxDepth {
		return s.invalid(s.in, "directories nested deeper than "+itoa(MaxDepth))
	}
	if s.fn != nil {
		if err := s.fn(&Header{Path: string(s.path), Type: TypeDirectory}, nil); err != nil {
			return err
		}
	}
	s.levels = append(s.levels, level{base: len(s.path)})
	for {
		tok, off, err := s.keyword(`"entry" or ")"`)
		if err != nil {
			return err
		}
		if string(tok) == ")" {
			break
		}
		if string(tok) != "entry" {
			return s.invalid(off, `expected "entry" or ")", got `+quote(string(tok)))
		}
		if err := s.entry(); err != nil {
			return err
		}
	}
	lv := s.levels[len(s.levels)-1]
	s.levels = s.levels[:len(s.levels)-1]
	s.path = s.path[:lv.base]
	return nil
}

// entry reads "(" "name" <name> "node" <node> ")" after "entry".
func (s *scanner) entry() error {
	if err := s.expect("("); err != nil {
		return err
	}
	if err := s.expect("name"); err != nil {
		return err
	}
	name, off, err := s.limited(MaxNameLen, "entry name")
	if err != nil {
		return err
	}
	if msg := checkName(name); msg != "" {
		return s.invalid(off, msg)
	}
	lv := &s.levels[len(s.levels)-1]
	if lv.hasPrev {
		prev := s.path[lv.start():]
		if string(name) <= string(prev) {
			return s.invalid(off, "entry names not in ascending order: "+quote(string(name))+" after "+quote(string(prev)))
		}
	}
	if n := pathLen(lv.base, name); n > MaxPathLen {
		return s.invalid(off, "entry path of "+itoa(uint64(n))+" bytes exceeds the limit of "+itoa(MaxPathLen))
	}
	p := s.path[:lv.base]
	if lv.base > 0 {
		p = append(p, '/')
	}
	s.path = append(p, name...)
	lv.hasPrev = true
	if err := s.expect("node"); err != nil {
		return err
	}
	if err := s.node(); err != nil {
		return err
	}
	return s.expect(")")
}

// pathLen is the length of the path of entry name in the directory whose
// path is base bytes long (0: the root).
func pathLen[T ~string | ~[]byte](base int, name T) int {
	if base == 0 {
		return len(name)
	}
	return base + 1 + len(name)
}

// checkName returns why name cannot be a directory entry, or "". The
// scanner and the Writer share it: one definition of a valid name.
func checkName[T ~string | ~[]byte](name T) string {
	switch {
	case len(name) == 0:
		return "empty entry name"
	case string(name) == "." || string(name) == "..":
		return "entry name " + quote(string(name))
	}
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '/':
			return "entry name " + quote(string(name)) + " contains '/'"
		case 0:
			return "entry name " + quote(string(name)) + " contains a NUL byte"
		}
	}
	return ""
}

// contentsReader gives a WalkFunc the contents of a regular file.
type contentsReader struct {
	s    *scanner // nil once the WalkFunc has returned
	left uint64
}

// Read implements io.Reader over the file's contents.
func (r *contentsReader) Read(p []byte) (int, error) {
	s := r.s
	if s == nil {
		return 0, io.ErrClosedPipe
	}
	if s.err != nil {
		return 0, s.err
	}
	if r.left == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if uint64(len(p)) > r.left {
		p = p[:r.left]
	}
	if err := s.flush(); err != nil {
		s.err = err
		return 0, err
	}
	n, err := s.src.Read(p)
	if n < 0 || n > len(p) {
		n, err = 0, io.ErrNoProgress
	}
	s.in += int64(n)
	r.left -= uint64(n)
	if s.dst != nil && n > 0 {
		m, werr := write(s.dst, p[:n])
		s.out += int64(m)
		if werr != nil {
			s.err = werr
			return n, werr
		}
	}
	switch {
	case err == io.EOF && r.left > 0:
		s.err = s.fail(s.in, io.ErrUnexpectedEOF)
	case err != nil && err != io.EOF:
		s.err = s.fail(s.in, err)
	case r.left == 0:
		return n, io.EOF
	}
	if s.err != nil && n == 0 {
		return 0, s.err
	}
	return n, nil
}
