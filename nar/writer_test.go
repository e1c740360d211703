package nar

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestWriterRefusesInvalid checks that every call that would make the NAR
// invalid fails with ErrInvalid, sticks, and never reaches dst.
func TestWriterRefusesInvalid(t *testing.T) {
	cases := []struct {
		name string
		do   func(w *Writer) error
		want string
	}{
		{"unsorted", func(w *Writer) error {
			w.Directory()
			w.Entry("b")
			w.Symlink("x")
			return w.Entry("a")
		}, `"a" after "b"`},
		{"duplicate", func(w *Writer) error {
			w.Directory()
			w.Entry("a")
			w.Symlink("x")
			return w.Entry("a")
		}, `"a" after "a"`},
		{"dotdot", func(w *Writer) error { w.Directory(); return w.Entry("..") }, `entry name ".."`},
		{"dot", func(w *Writer) error { w.Directory(); return w.Entry(".") }, `entry name "."`},
		{"empty", func(w *Writer) error { w.Directory(); return w.Entry("") }, "empty entry name"},
		{"slash", func(w *Writer) error { w.Directory(); return w.Entry("/etc") }, "contains '/'"},
		{"NUL", func(w *Writer) error { w.Directory(); return w.Entry("a\x00") }, "NUL"},
		{"long name", func(w *Writer) error { w.Directory(); return w.Entry(strings.Repeat("n", MaxNameLen+1)) }, "exceeds the limit"},
		{"empty target", func(w *Writer) error { return w.Symlink("") }, "empty symlink target"},
		{"NUL target", func(w *Writer) error { return w.Symlink("a\x00") }, "NUL"},
		{"long target", func(w *Writer) error { return w.Symlink(strings.Repeat("t", MaxTargetLen+1)) }, "exceeds the limit"},
		{"two roots", func(w *Writer) error { w.Symlink("a"); return w.Symlink("b") }, "no node is expected"},
		{"node without entry", func(w *Writer) error { w.Directory(); return w.File(false, 0) }, "no node is expected"},
		{"entry at root", func(w *Writer) error { return w.Entry("a") }, "outside a directory"},
		{"end without dir", func(w *Writer) error { w.Symlink("a"); return w.EndDirectory() }, "outside a directory"},
		{"too much", func(w *Writer) error { w.File(false, 2); _, err := w.Write([]byte("abc")); return err }, "exceeds the 2 left"},
		{"write outside", func(w *Writer) error { _, err := w.Write([]byte("x")); return err }, "outside file contents"},
		{"short contents", func(w *Writer) error { w.File(false, 2); w.Write([]byte("a")); return w.Close() }, "incomplete"},
		{"open dir", func(w *Writer) error { w.Directory(); return w.Close() }, "incomplete"},
		{"nothing", func(w *Writer) error { return w.Close() }, "incomplete"},
		{"too deep", func(w *Writer) error {
			for i := 0; ; i++ {
				if err := w.Directory(); err != nil {
					return err
				}
				w.Entry("d")
			}
		}, "nested deeper"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			w := NewWriter(&out)
			err := c.do(w)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrInvalid containing %q", err, c.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%T is not an *Error", err)
			}
			if cerr := w.Close(); cerr != err {
				t.Fatalf("Close = %v, want the sticky %v", cerr, err)
			}
			if _, cerr := Copy(io.Discard, bytes.NewReader(out.Bytes())); cerr == nil {
				t.Fatalf("a valid NAR reached dst after a refused call")
			}
		})
	}
}

func TestWriterErrorPath(t *testing.T) {
	w := NewWriter(io.Discard)
	w.Directory()
	w.Entry("bin")
	w.Directory()
	w.Entry("z")
	w.Symlink("t")
	err := w.Entry("a")
	var e *Error
	if !errors.As(err, &e) || e.Path != "bin/z" || e.Offset != w.Size() {
		t.Fatalf("err = %#v, want path bin/z at offset %d", err, w.Size())
	}
}

// TestWriterContentsWays writes the same big file through Write in odd
// pieces, ReadFrom of odd readers, and one Write, and checks the bytes.
func TestWriterContentsWays(t *testing.T) {
	contents := make([]byte, 3*bufSize+17)
	for i := range contents {
		contents[i] = byte(i * 13)
	}
	want := writeNAR(dir(map[string]*tnode{"big": {typ: TypeRegular, exec: true, contents: contents}, "z": file("")}))
	ways := map[string]func(w *Writer) error{
		"pieces": func(w *Writer) error {
			for p := contents; len(p) > 0; {
				n := min(len(p), 1+len(p)%7000)
				if _, err := w.Write(p[:n]); err != nil {
					return err
				}
				p = p[n:]
			}
			return nil
		},
		"readfrom": func(w *Writer) error {
			_, err := w.ReadFrom(io.MultiReader(bytes.NewReader(contents), strings.NewReader("not read")))
			return err
		},
		"onebyte": func(w *Writer) error {
			_, err := w.ReadFrom(iotest.OneByteReader(bytes.NewReader(contents)))
			return err
		},
		"dataerr": func(w *Writer) error {
			_, err := w.ReadFrom(iotest.DataErrReader(bytes.NewReader(contents)))
			return err
		},
	}
	for name, way := range ways {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			w := NewWriter(iotest.TruncateWriter(&out, 1<<30))
			w.Directory()
			w.Entry("big")
			w.File(true, uint64(len(contents)))
			if err := way(w); err != nil {
				t.Fatal(err)
			}
			w.Entry("z")
			w.File(false, 0)
			w.EndDirectory()
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) || w.Size() != int64(len(want)) {
				t.Fatalf("wrote %d bytes (Size %d), want %d", out.Len(), w.Size(), len(want))
			}
		})
	}
	t.Run("short reader", func(t *testing.T) {
		w := NewWriter(io.Discard)
		w.File(false, 10)
		if _, err := w.ReadFrom(strings.NewReader("abc")); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestWriterDstError(t *testing.T) {
	for limit := 0; limit < 300; limit += 7 {
		w := NewWriter(&failWriter{after: limit})
		err := writeNode(w, sampleTree())
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != errSink {
			t.Fatalf("limit %d: err = %v, want dst's error unchanged", limit, err)
		}
	}
}

// TestWriterScannerAgree writes trees with the Writer, reads them with
// Walk, and rebuilds the same tree.
func TestWriterScannerAgree(t *testing.T) {
	for _, tree := range []*tnode{sampleTree(), file(""), link("/abs/olute"), dir(nil), dir(map[string]*tnode{"e": dir(nil)})} {
		data := writeNAR(tree)
		got, n, err := refParse(data)
		if err != nil || n != len(data) {
			t.Fatalf("reference parser: %v", err)
		}
		if !bytes.Equal(writeNAR(got), data) {
			t.Fatal("tree does not survive a round trip")
		}
		re, err := rewrite(data)
		if err != nil || !bytes.Equal(re, data) {
			t.Fatalf("Walk into Writer: %v", err)
		}
	}
}

func ExampleWriter() {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.Directory()
	w.Entry("bin")
	w.Directory()
	w.Entry("hello")
	w.File(true, 14)
	io.WriteString(w, "#!/bin/sh\necho")
	w.EndDirectory()
	w.Entry("lib")
	w.Symlink("bin")
	w.EndDirectory()
	if err := w.Close(); err != nil {
		panic(err)
	}
	_, err := Walk(&buf, func(h *Header, _ io.Reader) error {
		fmt.Printf("%-9s %q size=%d target=%q\n", h.Type, h.Path, h.Size, h.Target)
		return nil
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// directory "" size=0 target=""
	// directory "bin" size=0 target=""
	// regular   "bin/hello" size=14 target=""
	// symlink   "lib" size=0 target="bin"
}

func TestFileNAR(t *testing.T) {
	// `nix-hash --type sha256` of a file holding "hello\n" (Nix 2.8).
	sum := sha256.Sum256(FileNAR(false, []byte("hello\n")))
	if got := hex.EncodeToString(sum[:]); got != "1c37d01af40be2e80691de3cc3df44377a699afbb17c68f080964b2fd071fc13" {
		t.Fatalf("NAR hash %s", got)
	}
	for _, c := range []string{"", "x", strings.Repeat("y", 3*bufSize+1)} {
		if !bytes.Equal(FileNAR(true, []byte(c)), writeNAR(execFile(c))) || !bytes.Equal(FileNAR(false, []byte(c)), writeNAR(file(c))) {
			t.Fatalf("FileNAR of %d bytes differs", len(c))
		}
	}
}
