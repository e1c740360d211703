package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/nixwire/nixwire/contentaddress"
	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/nar"
	"github.com/nixwire/nixwire/wire"
)

// Content-address methods for AddToStore, with SHA-256.
const (
	// MethodText adds a text file, such as a .drv, which may refer to
	// other store paths.
	MethodText messages.ContentAddressMethod = "text:sha256"
	// MethodFlat adds a regular file, hashed as its plain contents.
	MethodFlat messages.ContentAddressMethod = "fixed:sha256"
	// MethodNAR adds a file system object given as a NAR, hashed as the
	// NAR (recursive ingestion).
	MethodNAR messages.ContentAddressMethod = "fixed:r:sha256"
)

// MaxInMemory bounds the data AddToStore reads into memory where the
// protocol needs its size in advance: text, and flat files, before
// protocol 1.25.
const MaxInMemory = 64 << 20

// AddToStore adds the data read from data to the store under name, with
// the content-address method (MethodText, MethodFlat, MethodNAR or another
// method Nix knows, such as "fixed:sha1" or "fixed:git:sha1"), and returns
// the new path's metadata. For MethodNAR data must be one NAR; otherwise it
// is the file's contents. references are the store paths the contents
// refer to (text only, before 1.25). repair (≥ 1.25) makes the daemon
// repair the path if it exists but is corrupt.
//
// From protocol 1.25 the data is streamed. Before, text goes through
// AddTextToStore and flat files are wrapped in a NAR, both in memory (at
// most MaxInMemory bytes), and the metadata is fetched with QueryPathInfo.
func (c *Conn) AddToStore(ctx context.Context, name string, method messages.ContentAddressMethod, references []messages.StorePath, repair bool, data io.Reader) (*messages.ValidPathInfo, error) {
	if c.Proto().AtLeast(1, 25) {
		var reply messages.AddToStoreReply
		req := &messages.AddToStoreRequest{Name: name, CAMethod: method, References: references, Repair: repair}
		if err := c.DoStream(ctx, messages.OpAddToStore, req, &reply, data, nil); err != nil {
			return nil, err
		}
		return &reply.Info, nil
	}
	path, err := c.addToStoreLegacy(ctx, name, method, references, repair, data)
	if err != nil {
		return nil, err
	}
	info, err := c.QueryPathInfo(ctx, path)
	if err == nil && info == nil {
		err = fmt.Errorf("client: AddToStore: %s is not valid after adding it", path)
	}
	return info, err
}

// addToStoreLegacy is AddToStore before protocol 1.25.
func (c *Conn) addToStoreLegacy(ctx context.Context, name string, method messages.ContentAddressMethod, references []messages.StorePath, repair bool, data io.Reader) (messages.StorePath, error) {
	unsupported := func(why string) error {
		return fmt.Errorf("%w: AddToStore with method %q %s at protocol %s", ErrUnsupported, method, why, c.Proto())
	}
	if repair {
		return "", unsupported("and repair")
	}
	m, algo, err := contentaddress.ParseMethod(string(method))
	switch {
	case err != nil:
		return "", unsupported("(malformed)")
	case m == contentaddress.Text:
		text, err := readAllMax(data, MaxInMemory)
		if err != nil {
			return "", err
		}
		var reply messages.AddTextToStoreReply
		//lint:ignore SA1019 before 1.25, AddTextToStore is how text is added
		err = c.Do(ctx, messages.OpAddTextToStore, &messages.AddTextToStoreRequest{Name: name, Text: text, References: references}, &reply)
		return reply.Path, err
	case m == contentaddress.Git:
		return "", unsupported("")
	case len(references) > 0:
		return "", unsupported("and references")
	}
	req := &messages.AddToStoreRequest{Name: name, Fixed: true, HashAlgo: algo.String(), Recursive: m == contentaddress.NAR}
	if m == contentaddress.Flat {
		contents, err := readAllMax(data, MaxInMemory)
		if err != nil {
			return "", err
		}
		data = bytes.NewReader(nar.FileNAR(false, contents))
	}
	var reply messages.AddToStoreReply
	err = c.DoStream(ctx, messages.OpAddToStore, req, &reply, data, nil)
	return reply.Path, err
}

// readAllMax reads all of r, failing if it holds more than max bytes.
func readAllMax(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("client: reading the data to add: %w", err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes to add at this protocol version", ErrUnsupported, max)
	}
	return b, nil
}

// ImportOptions are the options of AddToStoreNar and AddMultipleToStore.
type ImportOptions struct {
	// Repair makes the daemon repair paths that exist but are corrupt.
	Repair bool
	// DontCheckSigs makes the daemon accept paths without a valid
	// signature or a matching content address. Untrusted clients cannot
	// set it.
	DontCheckSigs bool
}

// AddToStoreNar imports a store path with its metadata and its NAR, read
// from narData (framed from 1.23, pulled by the daemon in 1.21–1.22, raw
// before). Untrusted clients cannot set opt.DontCheckSigs or
// info.Ultimate; a path with neither a valid signature nor a content
// address matching its contents is refused unless opt.DontCheckSigs.
func (c *Conn) AddToStoreNar(ctx context.Context, info *messages.ValidPathInfo, narData io.Reader, opt ImportOptions) error {
	if info == nil {
		return errors.New("client: AddToStoreNar: nil info")
	}
	if narData == nil {
		return errors.New("client: AddToStoreNar: nil NAR")
	}
	req := &messages.AddToStoreNarRequest{Info: *info, Repair: opt.Repair, DontCheckSigs: opt.DontCheckSigs}
	return c.DoStream(ctx, messages.OpAddToStoreNar, req, nil, narData, nil)
}

// NarFromPath writes the NAR of path to w and returns its size. The NAR is
// checked as it streams (nar.Copy). The daemon does not check that path is
// valid: for a path missing on disk it fails in the middle of the NAR,
// which gives a *DaemonError and closes the Conn.
func (c *Conn) NarFromPath(ctx context.Context, path messages.StorePath, w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	err := c.DoStream(ctx, messages.OpNarFromPath, &messages.NarFromPathRequest{Path: path}, nil, nil, cw)
	return cw.n, err
}

// countWriter counts the bytes written to w.
type countWriter struct {
	w io.Writer
	n int64
}

// Write writes p to w and counts what was written.
func (cw *countWriter) Write(p []byte) (int, error) {
	n, err := cw.w.Write(p)
	cw.n += int64(n)
	return n, err
}

// Pools of the messages of the typed methods (see msgPool).
var (
	tempRootPool     msgPool[messages.AddTempRootRequest, messages.Ack]
	indirectRootPool msgPool[messages.AddIndirectRootRequest, messages.Ack]
	ensurePool       msgPool[messages.EnsurePathRequest, messages.Ack]
)

// AddTempRoot makes path a temporary garbage collector root for the
// lifetime of the connection.
func (c *Conn) AddTempRoot(ctx context.Context, path messages.StorePath) error {
	_, err := doPooled(c, ctx, &tempRootPool, messages.OpAddTempRoot, messages.AddTempRootRequest{Path: path})
	return err
}

// AddIndirectRoot registers link, an absolute path outside the store that
// is a symlink into it, as a garbage collector root.
func (c *Conn) AddIndirectRoot(ctx context.Context, link string) error {
	_, err := doPooled(c, ctx, &indirectRootPool, messages.OpAddIndirectRoot, messages.AddIndirectRootRequest{Path: link})
	return err
}

// EnsurePath makes path valid, substituting it if needed.
func (c *Conn) EnsurePath(ctx context.Context, path messages.StorePath) error {
	_, err := doPooled(c, ctx, &ensurePool, messages.OpEnsurePath, messages.EnsurePathRequest{Path: path})
	return err
}

// AddSignatures adds signatures ("<key name>:<base64>") to path. The
// daemon needs to trust the client. Beware: Nix 2.8 and 2.26 daemons crash
// when path is not valid (the Conn then reports the lost connection).
func (c *Conn) AddSignatures(ctx context.Context, path messages.StorePath, sigs []messages.Signature) error {
	return c.Do(ctx, messages.OpAddSignatures, &messages.AddSignaturesRequest{Path: path, Sigs: sigs}, nil)
}

// PathToAdd is one store path for AddMultipleToStore: its metadata and a
// reader of exactly its NAR.
type PathToAdd struct {
	// Info is the path's metadata (required): NarHash and NarSize must be
	// those of the NAR.
	Info *messages.ValidPathInfo
	// NAR reads the path's NAR (required), and no more than it.
	NAR io.Reader
}

// AddMultipleToStore imports several store paths in one operation, as
// `nix copy` does. The paths must be in topological order: every path after
// the paths it refers to. From protocol 1.32 they travel in one framed
// stream: a count, then for each path a messages.AddMultipleToStoreEntry
// (its ValidPathInfo, encoded at protocol 1.16 whatever was negotiated)
// followed by its NAR. Below 1.32 each path goes through AddToStoreNar, as
// Nix's own client falls back. Every NAR is checked with nar.Copy on its way
// out; an invalid one closes the connection, so that the daemon never takes
// a truncated path.
func (c *Conn) AddMultipleToStore(ctx context.Context, paths []PathToAdd, opt ImportOptions) error {
	for i, pa := range paths {
		if pa.Info == nil || pa.NAR == nil {
			return fmt.Errorf("client: AddMultipleToStore: path %d has no Info or no NAR", i)
		}
	}
	if !c.info.Proto.AtLeast(1, 32) {
		for _, pa := range paths {
			if err := c.AddToStoreNar(ctx, pa.Info, pa.NAR, opt); err != nil {
				return err
			}
		}
		return nil
	}
	pr, pw := io.Pipe()
	g := &readGate{} // no NAR is read once the operation returns
	produced := make(chan struct{})
	go func() {
		defer close(produced)
		pw.CloseWithError(writeMultiple(pw, paths, g, c.info.Proto))
	}()
	req := &messages.AddMultipleToStoreRequest{Repair: opt.Repair, DontCheckSigs: opt.DontCheckSigs}
	err := c.DoStream(ctx, messages.OpAddMultipleToStore, req, nil, pr, nil)
	// No NAR is read after we return: the producer starts no Read once
	// stopped, and is waited for unless it is blocked in one.
	reading := g.stop()
	pr.Close()
	if !reading {
		<-produced
	}
	return err
}

// guardedReader reads r unless its gate is closed.
type guardedReader struct {
	r io.Reader
	g *readGate
}

// Read reads from r, or fails once the gate is closed.
func (gr guardedReader) Read(p []byte) (int, error) {
	if !gr.g.enter() {
		return 0, errStopped
	}
	defer gr.g.leave()
	return gr.r.Read(p)
}

// writeMultiple writes the contents of AddMultipleToStore's framed stream
// at p (the schema pins each entry's ValidPathInfo to 1.16).
func writeMultiple(w io.Writer, paths []PathToAdd, g *readGate, p wire.Proto) error {
	ww := wire.NewWriter(w)
	ww.Uint64(uint64(len(paths)))
	for i, pa := range paths {
		entry := messages.AddMultipleToStoreEntry{Info: *pa.Info}
		if err := entry.EncodeWire(ww, p); err != nil {
			return fmt.Errorf("path %d: %w", i, err)
		}
		if _, err := nar.Copy(ww, guardedReader{pa.NAR, g}); err != nil {
			return fmt.Errorf("path %d (%s): %w", i, pa.Info.Path, err)
		}
	}
	return ww.Flush()
}
