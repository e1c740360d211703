package nar

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// ErrUnsupportedFile is matched by the error Dump returns for a file system
// object a NAR cannot hold (a device, socket or named pipe), and for a file
// that changed size while it was being read.
var ErrUnsupportedFile = errors.New("nar: file cannot be archived")

// DumpPath writes the NAR of the file system object at path to dst, exactly
// as `nix-store --dump path` does: symbolic links are not followed, a
// regular file is executable when its owner may execute it, and directory
// entries are sorted by name in byte order. It returns the NAR's size.
// Memory does not depend on file sizes (contents stream through a 64 KiB
// buffer), only on the names of the directories along the deepest path
// (each directory's entry list is held while its subtree is written).
func DumpPath(dst io.Writer, path string) (int64, error) {
	w := NewWriter(dst)
	err := w.Dump(path)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return w.Size(), err
}

// Dump writes the file system object at path as the node that is expected
// next (the root, or the node of an Entry), as DumpPath describes.
func (w *Writer) Dump(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return w.fail(err)
	}
	switch m := fi.Mode(); {
	case m.IsRegular():
		return w.dumpFile(path)
	case m&os.ModeSymlink != 0:
		target, err := os.Readlink(path)
		if err != nil {
			return w.fail(err)
		}
		return w.Symlink(target)
	case m.IsDir():
		return w.dumpDir(path)
	default:
		return w.fail(fmt.Errorf("%w: %s is a %v", ErrUnsupportedFile, path, m.Type()))
	}
}

// dumpFile writes a regular file, with the size and mode of the file it
// opened (not of an earlier lstat), refusing one that shrinks or grows.
func (w *Writer) dumpFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return w.fail(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return w.fail(err)
	}
	if !fi.Mode().IsRegular() {
		return w.fail(fmt.Errorf("%w: %s changed type while being archived", ErrUnsupportedFile, path))
	}
	size := uint64(fi.Size())
	if err := w.File(fi.Mode()&0o100 != 0, size); err != nil {
		return err
	}
	if size == 0 {
		return nil
	}
	if _, err := w.ReadFrom(f); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: %s shrank while being archived", ErrUnsupportedFile, path)
		}
		return err
	}
	// One byte more than the size announced: the file grew.
	var one [1]byte
	if n, _ := f.Read(one[:]); n > 0 {
		return w.fail(fmt.Errorf("%w: %s grew while being archived", ErrUnsupportedFile, path))
	}
	return nil
}

// dumpDir writes a directory and, recursively, its entries.
func (w *Writer) dumpDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return w.fail(err)
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return w.fail(err)
	}
	slices.Sort(names) // Go compares strings bytewise, as Nix's std::map does
	if err := w.Directory(); err != nil {
		return err
	}
	for _, name := range names {
		if err := w.Entry(name); err != nil {
			return err
		}
		if err := w.Dump(filepath.Join(path, name)); err != nil {
			return err
		}
	}
	return w.EndDirectory()
}

// fail records an error of the file system (sticky, like dst's errors) and
// returns it.
func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}
