package nar

import (
	"io"
	"os"
)

// Restore reads exactly one NAR from src and recreates it at path, which
// must not exist: a directory tree, a regular file or a symbolic link, as
// `nix-store --restore path` does. Files are created with mode 0666 or, if
// executable, 0777 (less the umask); time stamps and ownership are left
// to the caller, as Nix canonicalises them separately.
//
// Everything is checked by the scanner before it is created: names that are
// empty, ".", "..", or hold '/' or NUL, duplicate or unsorted entries, and
// every other grammar violation give an *Error matching ErrInvalid. The
// directory tree is created through an os.Root, so no entry can land outside
// path. On any error what was created is removed again. It returns the
// number of bytes read from src.
func Restore(src io.Reader, path string) (n int64, err error) {
	r := &restorer{path: path}
	defer func() {
		if r.root != nil {
			r.root.Close()
		}
		if err != nil && r.created {
			os.RemoveAll(path)
		}
	}()
	return Walk(src, r.node)
}

// restorer creates the nodes Walk reports.
type restorer struct {
	path    string
	root    *os.Root // open once the root directory exists
	created bool     // something exists at path that Restore made
}

func (r *restorer) node(h *Header, contents io.Reader) error {
	if h.Path == "" {
		return r.rootNode(h, contents)
	}
	switch h.Type {
	case TypeDirectory:
		return r.root.Mkdir(h.Path, 0o777)
	case TypeSymlink:
		return r.root.Symlink(h.Target, h.Path)
	default:
		f, err := r.root.OpenFile(h.Path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode(h))
		if err != nil {
			return err
		}
		return writeFile(f, contents)
	}
}

// rootNode creates the node at path itself.
func (r *restorer) rootNode(h *Header, contents io.Reader) error {
	switch h.Type {
	case TypeDirectory:
		if err := os.Mkdir(r.path, 0o777); err != nil {
			return err
		}
		r.created = true
		root, err := os.OpenRoot(r.path)
		if err != nil {
			return err
		}
		r.root = root
		return nil
	case TypeSymlink:
		if err := os.Symlink(h.Target, r.path); err != nil {
			return err
		}
		r.created = true
		return nil
	default:
		f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode(h))
		if err != nil {
			return err
		}
		r.created = true
		return writeFile(f, contents)
	}
}

func fileMode(h *Header) os.FileMode {
	if h.Executable {
		return 0o777
	}
	return 0o666
}

// writeFile copies a file's contents into f and closes it.
func writeFile(f *os.File, contents io.Reader) error {
	_, err := io.Copy(f, contents)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
