package nar

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/nixwire/nixwire/wire"
)

// sampleTree has every kind of node: files, an executable, an empty file, a
// symlink, nested directories (one empty) and a 1 MiB file.
func sampleTree() *tnode {
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i*7 + i>>11)
	}
	return dir(map[string]*tnode{
		"README":     file("hello, world\n"),
		"bin":        dir(map[string]*tnode{"tool": execFile("#!/bin/sh\necho hi\n")}),
		"empty":      file(""),
		"link":       link("README"),
		"share":      dir(map[string]*tnode{"doc": dir(map[string]*tnode{"deep": dir(map[string]*tnode{"x": file("x")})}), "void": dir(nil)}),
		"big.bin":    {typ: TypeRegular, contents: big},
		"Z-upper":    file("sorted before lower case"),
		"a b\tc\xff": file("odd but valid name"),
	})
}

// TestWriterBytes pins the test writer to hand-checked bytes, so that the
// other tests do not just agree with themselves.
func TestWriterBytes(t *testing.T) {
	got := writeNAR(link("a"))
	want := "0d00000000000000" + hex.EncodeToString([]byte("nix-archive-1")) + "000000" +
		"0100000000000000" + "2800000000000000" +
		"0400000000000000" + hex.EncodeToString([]byte("type")) + "00000000" +
		"0700000000000000" + hex.EncodeToString([]byte("symlink")) + "00" +
		"0600000000000000" + hex.EncodeToString([]byte("target")) + "0000" +
		"0100000000000000" + "6100000000000000" +
		"0100000000000000" + "2900000000000000"
	if hex.EncodeToString(got) != want {
		t.Fatalf("writer:\n got %x\nwant %s", got, want)
	}
}

func TestCopyExact(t *testing.T) {
	cases := map[string]*tnode{
		"file":       file("hello"),
		"empty file": file(""),
		"executable": execFile("#!/bin/sh\n"),
		"symlink":    link("/nix/store/x-target"),
		"empty dir":  dir(nil),
		"8-byte":     file("12345678"),
		"tree":       sampleTree(),
	}
	for name, tree := range cases {
		t.Run(name, func(t *testing.T) {
			in := writeNAR(tree)
			readers := map[string]func([]byte) io.Reader{
				"bytes":   func(b []byte) io.Reader { return bytes.NewReader(b) },
				"onebyte": func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
				"half":    func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) },
				"dataerr": func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) },
			}
			for rname, mk := range readers {
				if rname == "onebyte" && len(in) > 1<<16 {
					continue
				}
				var out bytes.Buffer
				n, err := Copy(&out, mk(in))
				if err != nil {
					t.Fatalf("%s: Copy: %v", rname, err)
				}
				if n != int64(len(in)) || !bytes.Equal(out.Bytes(), in) {
					t.Fatalf("%s: Copy wrote %d bytes, want the %d input bytes unchanged", rname, n, len(in))
				}
			}
		})
	}
}

func TestTrailingDataLeftUnread(t *testing.T) {
	in := writeNAR(sampleTree())
	trailer := []byte("NEXT-MESSAGE")
	src := bytes.NewReader(append(append([]byte(nil), in...), trailer...))
	if _, err := Copy(io.Discard, src); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(src)
	if !bytes.Equal(rest, trailer) {
		t.Fatalf("left %q unread, want %q", rest, trailer)
	}

	// Through a *wire.Reader, as on a daemon connection: the value after
	// the NAR is still readable.
	var msg []byte
	msg = append(msg, in...)
	msg = wire.AppendUint64(msg, 0x616c7473)
	r := wire.NewReaderSize(bytes.NewReader(msg), 100)
	if n, err := Copy(io.Discard, r); err != nil || n != int64(len(in)) {
		t.Fatalf("Copy from wire.Reader = %d, %v", n, err)
	}
	if v, err := r.Uint64(); err != nil || v != 0x616c7473 {
		t.Fatalf("after the NAR: %#x, %v", v, err)
	}
}

func TestTruncatedAtEveryOffset(t *testing.T) {
	in := writeNAR(dir(map[string]*tnode{
		"a": execFile("abc"),
		"b": link("a"),
		"c": dir(map[string]*tnode{"d": file("12345678")}),
	}))
	for cut := 0; cut < len(in); cut++ {
		var out bytes.Buffer
		n, err := Copy(&out, bytes.NewReader(in[:cut]))
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d: err = %v, want io.ErrUnexpectedEOF", cut, err)
		}
		var e *Error
		if !errors.As(err, &e) || e.Offset != int64(cut) {
			t.Fatalf("cut at %d: err = %#v, want an *Error at offset %d", cut, err, cut)
		}
		if n > int64(cut) || !bytes.Equal(out.Bytes(), in[:n]) {
			t.Fatalf("cut at %d: wrote %d bytes that are not a prefix of the input", cut, n)
		}
	}
}

// tokens builds a NAR (or anything) from string tokens.
func tokens(toks ...string) []byte {
	var b []byte
	for _, s := range toks {
		b = str(b, s)
	}
	return b
}

func TestInvalid(t *testing.T) {
	hdr := []string{Magic, "(", "type"}
	reg := func(toks ...string) []byte { return tokens(append(append(hdr, "regular"), toks...)...) }
	dirOf := func(toks ...string) []byte { return tokens(append(append(hdr, "directory"), toks...)...) }
	entry := func(name string) []string {
		return []string{"entry", "(", "name", name, "node", "(", "type", "regular", "contents", "", ")", ")"}
	}
	cat := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	deep := []string{Magic}
	for range MaxDepth + 1 {
		deep = append(deep, "(", "type", "directory", "entry", "(", "name", "d", "node")
	}
	badPad := reg("contents", "abc", ")")
	badPad[len(tokens(append(hdr, "regular", "contents")...))+8+3] = 1

	cases := []struct {
		name string
		in   []byte
		want string // in the error message
		off  int64
	}{
		{"magic", tokens("nix-archive-2", "("), `expected "nix-archive-1", got "nix-archive-2"`, 0},
		{"magic too long", tokens("nix-archive-1-and-more-stuff"), `got a string of 28 bytes`, 0},
		{"not a NAR", []byte("GET / HTTP/1.1\r\n\r\n"), `expected "nix-archive-1", got a string of`, 0},
		{"no paren", tokens(Magic, "type"), `expected "(", got "type"`, 24},
		{"unknown type", tokens(Magic, "(", "type", "fifo"), `unknown node type "fifo"`, 56},
		{"missing contents", reg(")"), `expected "executable" or "contents", got ")"`, 72},
		{"executable value", reg("executable", "yes", "contents", "", ")"), `expected "", got "yes"`, 96},
		{"executable after contents", reg("contents", "x", "executable", "", ")"), `expected ")", got "executable"`, 104},
		{"contents twice", reg("contents", "x", "contents", "y", ")"), `expected ")"`, 104},
		{"padding", badPad, "non-zero padding", 99},
		{"symlink no target", tokens(append(hdr, "symlink", ")")...), `expected "target"`, 72},
		{"empty target", tokens(append(hdr, "symlink", "target", "", ")")...), "empty symlink target", 88},
		{"NUL target", tokens(append(hdr, "symlink", "target", "a\x00b", ")")...), "NUL", 88},
		{"long target", tokens(append(hdr, "symlink", "target", strings.Repeat("t", MaxTargetLen+1))...), "exceeds the limit of 4096", 88},
		{"unsorted", dirOf(cat(entry("b"), entry("a"), []string{")"})...), `"a" after "b"`, 0},
		{"duplicate", dirOf(cat(entry("a"), entry("a"), []string{")"})...), `"a" after "a"`, 0},
		{"empty name", dirOf(entry("")...), "empty entry name", 0},
		{"dot", dirOf(entry(".")...), `entry name "."`, 0},
		{"dotdot", dirOf(entry("..")...), `entry name ".."`, 0},
		{"slash", dirOf(entry("a/b")...), "contains '/'", 0},
		{"NUL name", dirOf(entry("a\x00")...), "NUL", 0},
		{"long name", dirOf(entry(strings.Repeat("n", MaxNameLen+1))...), "entry name of 4097 bytes exceeds the limit of 4096", 0},
		{"not an entry", dirOf("file"), `expected "entry" or ")", got "file"`, 80},
		{"entry without paren", dirOf("entry", "name"), `expected "(", got "name"`, 0},
		{"too deep", tokens(deep...), "nested deeper than 1024", 0},
		{"huge token", append(tokens(Magic), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), `expected "(", got a string of 18446744073709551615 bytes`, 24},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Copy(io.Discard, bytes.NewReader(c.in))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %q, want it to contain %q", err, c.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err %T is not an *Error", err)
			}
			if c.off != 0 && e.Offset != c.off {
				t.Fatalf("offset = %d, want %d (%v)", e.Offset, c.off, err)
			}
			if _, _, rerr := refParse(c.in); rerr == nil {
				t.Fatalf("the reference parser accepts it")
			}
		})
	}
}

// deepNAR is a NAR of directories nested depth deep, each named by n
// bytes of 'd', holding one empty file "f" at the bottom.
func deepNAR(depth, n int) []byte {
	name := strings.Repeat("d", n)
	toks := []string{Magic}
	for range depth {
		toks = append(toks, "(", "type", "directory", "entry", "(", "name", name, "node")
	}
	toks = append(toks, "(", "type", "directory", "entry", "(", "name", "f", "node", "(", "type", "regular", "contents", "", ")", ")", ")")
	for range depth {
		toks = append(toks, ")", ")")
	}
	return tokens(toks...)
}

// TestPathLimit: a path inside the NAR longer than MaxPathLen is refused,
// by the scanner (Nix cannot restore it: "File name too long") and by the
// Writer; one at the limit passes.
func TestPathLimit(t *testing.T) {
	// 15 levels of 255 bytes and their slashes: 3840 bytes, then "/f".
	if _, err := Copy(io.Discard, bytes.NewReader(deepNAR(15, 255))); err != nil {
		t.Fatalf("a path of 3842 bytes: %v", err)
	}
	_, err := Copy(io.Discard, bytes.NewReader(deepNAR(16, 255)))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "exceeds the limit of 4095") {
		t.Fatalf("a path of 4098 bytes: %v, want ErrInvalid", err)
	}
	// A hostile NAR: the deepest nesting of the longest names, refused
	// long before its paths would cost memory.
	if _, err := Copy(io.Discard, bytes.NewReader(deepNAR(MaxDepth, MaxNameLen))); !errors.Is(err, ErrInvalid) {
		t.Fatalf("%d levels of %d-byte names: %v", MaxDepth, MaxNameLen, err)
	}
	w := NewWriter(io.Discard)
	name := strings.Repeat("d", 255)
	for range 17 { // 17×255 bytes and 16 slashes: 4351
		w.Directory()
		w.Entry(name)
	}
	if err := w.Directory(); err == nil || !strings.Contains(err.Error(), "exceeds the limit") {
		t.Fatalf("Writer past MaxPathLen: %v", err)
	}
}

func TestErrorPath(t *testing.T) {
	in := writeNAR(dir(map[string]*tnode{"a": dir(map[string]*tnode{"b": link("x")})}))
	i := bytes.Index(in, tokens("symlink"))
	bad := append(append(append([]byte(nil), in[:i]...), tokens("socket")...), in[i+len(tokens("symlink")):]...)
	_, err := Copy(io.Discard, bytes.NewReader(bad))
	want := `nar: at byte ` + itoa(uint64(i)) + ` (in "a/b"): unknown node type "socket"`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}

type failWriter struct{ after int }

var errSink = errors.New("sink broke")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.after {
		n := w.after
		w.after = 0
		return n, errSink
	}
	w.after -= len(p)
	return len(p), nil
}

func TestWriterErrorUnchanged(t *testing.T) {
	in := writeNAR(sampleTree())
	for _, after := range []int{0, 100, 70000, 1 << 20} {
		n, err := Copy(&failWriter{after: after}, bytes.NewReader(in))
		if err != errSink {
			t.Fatalf("after %d: err = %v, want the writer's error unchanged", after, err)
		}
		if n != int64(after) {
			t.Fatalf("after %d: n = %d", after, n)
		}
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestReaderErrorWrapped(t *testing.T) {
	boom := errors.New("boom")
	in := writeNAR(file("abc"))
	_, err := Copy(io.Discard, io.MultiReader(bytes.NewReader(in[:50]), errReader{boom}))
	var e *Error
	if !errors.Is(err, boom) || !errors.As(err, &e) || e.Offset != 50 {
		t.Fatalf("err = %v, want boom at byte 50", err)
	}
}

func TestWalk(t *testing.T) {
	in := writeNAR(sampleTree())
	var got []string
	n, err := Walk(bytes.NewReader(in), func(h *Header, contents io.Reader) error {
		line := h.Type.String() + " " + h.Path
		switch h.Type {
		case TypeRegular:
			if h.Executable {
				line += " +x"
			}
			if h.Size < 100 {
				b, err := io.ReadAll(contents)
				if err != nil {
					return err
				}
				line += " " + string(b)
				if !bytes.Equal(in[h.Offset:h.Offset+int64(h.Size)], b) {
					t.Errorf("%s: Offset %d does not point at the contents", h.Path, h.Offset)
				}
			} else {
				// Read a little, leave the rest for Walk to skip.
				b := make([]byte, 10)
				if _, err := io.ReadFull(contents, b); err != nil {
					return err
				}
				line += " " + itoa(h.Size) + " bytes"
			}
		case TypeSymlink:
			line += " -> " + h.Target
		}
		got = append(got, line)
		return nil
	})
	if err != nil || n != int64(len(in)) {
		t.Fatalf("Walk = %d, %v", n, err)
	}
	want := []string{
		"directory ",
		"regular README hello, world\n",
		"regular Z-upper sorted before lower case",
		"regular a b\tc\xff odd but valid name",
		"regular big.bin 1048576 bytes",
		"directory bin",
		"regular bin/tool +x #!/bin/sh\necho hi\n",
		"regular empty ",
		"symlink link -> README",
		"directory share",
		"directory share/doc",
		"directory share/doc/deep",
		"regular share/doc/deep/x x",
		"directory share/void",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Walk saw\n%q\nwant\n%q", got, want)
	}

	stop := errors.New("stop")
	if _, err := Walk(bytes.NewReader(in), func(h *Header, _ io.Reader) error {
		if h.Path == "bin" {
			return stop
		}
		return nil
	}); err != stop {
		t.Fatalf("Walk returned %v, want the WalkFunc's error", err)
	}
}

func TestWalkContentsTruncated(t *testing.T) {
	in := writeNAR(file("some contents"))
	_, err := Walk(bytes.NewReader(in[:90]), func(h *Header, r io.Reader) error {
		_, err := io.ReadAll(r)
		return err // the WalkFunc passes the error on...
	})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v", err)
	}
	_, err = Walk(bytes.NewReader(in[:90]), func(h *Header, r io.Reader) error {
		io.ReadAll(r)
		return nil // ...or swallows it: Walk still reports it.
	})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("swallowed: err = %v", err)
	}
}

func TestReferenceParserAgrees(t *testing.T) {
	in := writeNAR(sampleTree())
	tree, n, err := refParse(in)
	if err != nil || n != len(in) || !bytes.Equal(writeNAR(tree), in) {
		t.Fatalf("refParse = %d, %v", n, err)
	}
}

func FuzzCopy(f *testing.F) {
	f.Add(writeNAR(file("hello")))
	f.Add(writeNAR(execFile("")))
	f.Add(writeNAR(link("target")))
	f.Add(writeNAR(dir(map[string]*tnode{"a": file("1"), "b": dir(map[string]*tnode{"c": link("../a")})})))
	f.Add(append(writeNAR(file("x")), "trailing"...))
	f.Add(tokens(Magic, "(", "type", "directory", "entry", "(", "name", "b", "node", "(", "type", "regular", "contents", "", ")", ")", "entry", "(", "name", "a"))
	f.Add([]byte{})
	f.Add(binary.LittleEndian.AppendUint64(tokens(Magic), 1<<62))
	f.Fuzz(func(t *testing.T, data []byte) {
		src := bytes.NewReader(data)
		var out bytes.Buffer
		n, err := Copy(&out, src)
		tree, refN, refErr := refParse(data)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("Copy: %v; reference parser: %v", err, refErr)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !(errors.Is(err, ErrInvalid) || errors.Is(err, io.ErrUnexpectedEOF)) {
				t.Fatalf("error %v (%T) is neither ErrInvalid nor io.ErrUnexpectedEOF", err, err)
			}
			if !bytes.Equal(out.Bytes(), data[:n]) {
				t.Fatalf("wrote something other than a prefix of the input")
			}
			return
		}
		if n != int64(refN) || int64(len(data))-int64(src.Len()) != n {
			t.Fatalf("Copy consumed %d bytes and reported %d; the NAR is %d bytes", int64(len(data))-int64(src.Len()), n, refN)
		}
		if !bytes.Equal(out.Bytes(), data[:n]) || !bytes.Equal(writeNAR(tree), data[:n]) {
			t.Fatalf("output or re-serialisation differs from the input")
		}
		if wn, werr := Walk(bytes.NewReader(data), func(*Header, io.Reader) error { return nil }); werr != nil || wn != n {
			t.Fatalf("Walk = %d, %v; Copy = %d", wn, werr, n)
		}
		// Streamed from Walk into a Writer, the NAR comes out unchanged.
		if re, err := rewrite(data); err != nil || !bytes.Equal(re, data[:n]) {
			t.Fatalf("Walk into Writer: %v; same bytes: %v", err, bytes.Equal(re, data[:n]))
		}
	})
}

func BenchmarkCopy64MiB(b *testing.B) {
	contents := make([]byte, 64<<20)
	for i := range contents {
		contents[i] = byte(i)
	}
	in := writeNAR(dir(map[string]*tnode{"big": {typ: TypeRegular, contents: contents}, "small": file("x")}))
	src := bytes.NewReader(in)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		src.Reset(in)
		if _, err := Copy(io.Discard, src); err != nil {
			b.Fatal(err)
		}
	}
}
