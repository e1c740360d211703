package messages

// wire.Message implementations for the pieces of a transcript that are not
// one generated type: a bare number (an op code), one STDERR frame (the
// Stderr union), and a framed stream kept chunk by chunk.

import (
	"encoding/binary"
	"io"

	"github.com/nixwire/nixwire/wire"
)

// u64 is a bare u64: an op code, or a number outside any message.
type u64 uint64

func (n *u64) WireSize(wire.Proto) int { return 8 }
func (n *u64) AppendWire(b []byte, _ wire.Proto) ([]byte, error) {
	return wire.AppendUint64(b, uint64(*n)), nil
}
func (n *u64) ConsumeWire(b []byte, _ wire.Proto) ([]byte, error) {
	v, rest, err := wire.ConsumeUint64(b)
	if err != nil {
		return b, err
	}
	*n = u64(v)
	return rest, nil
}
func (n *u64) EncodeWire(w *wire.Writer, _ wire.Proto) error { return w.Uint64(uint64(*n)) }
func (n *u64) DecodeWire(r *wire.Reader, _ wire.Proto) error {
	v, err := r.Uint64()
	*n = u64(v)
	return err
}

// opc returns the op code of a worker op as a transcript item.
func opc(code WorkerOpCode) *u64 { v := u64(code); return &v }

// frame is one frame of the STDERR channel.
type frame struct{ S Stderr }

func (f *frame) WireSize(p wire.Proto) int { return SizeStderr(f.S, p) }
func (f *frame) AppendWire(b []byte, p wire.Proto) ([]byte, error) {
	return AppendStderr(b, f.S, p)
}
func (f *frame) ConsumeWire(b []byte, p wire.Proto) ([]byte, error) {
	s, rest, err := ConsumeStderr(b, p)
	if err != nil {
		return b, err
	}
	f.S = s
	return rest, nil
}
func (f *frame) EncodeWire(w *wire.Writer, p wire.Proto) error { return EncodeStderr(w, f.S, p) }
func (f *frame) DecodeWire(r *wire.Reader, p wire.Proto) error {
	s, err := DecodeStderr(r, p)
	f.S = s
	return err
}

// fr wraps STDERR frames as transcript items.
func fr(frames ...Stderr) []wire.Message {
	out := make([]wire.Message, len(frames))
	for i, s := range frames {
		out[i] = &frame{s}
	}
	return out
}

// framed is a framed stream (u64 length + unpadded bytes per chunk, ended by
// a zero length), kept chunk by chunk since the bytes depend on where the
// writer cut them. Chunks are never empty.
type framed struct{ Chunks [][]byte }

func (f *framed) WireSize(wire.Proto) int {
	n := 8
	for _, c := range f.Chunks {
		n += 8 + len(c)
	}
	return n
}
func (f *framed) AppendWire(b []byte, _ wire.Proto) ([]byte, error) {
	for _, c := range f.Chunks {
		b = wire.AppendUint64(b, uint64(len(c)))
		b = append(b, c...)
	}
	return wire.AppendUint64(b, 0), nil
}
func (f *framed) ConsumeWire(b []byte, _ wire.Proto) ([]byte, error) {
	var chunks [][]byte
	rest := b
	for {
		n, r, err := wire.ConsumeUint64(rest)
		if err != nil {
			return b, err
		}
		rest = r
		if n == 0 {
			f.Chunks = chunks
			return rest, nil
		}
		if n > uint64(len(rest)) {
			return b, io.ErrUnexpectedEOF
		}
		chunks = append(chunks, rest[:n:n])
		rest = rest[n:]
	}
}

// EncodeWire writes the chunks with wire.FramedWriter, flushing after each
// so that the writer's frames are the chunks.
func (f *framed) EncodeWire(w *wire.Writer, _ wire.Proto) error {
	fw := wire.NewFramedWriter(w, 1<<20)
	for _, c := range f.Chunks {
		if _, err := fw.Write(c); err != nil {
			return err
		}
		if err := fw.Flush(); err != nil {
			return err
		}
	}
	return fw.Close()
}

// DecodeWire reads the frames one by one to keep their boundaries.
func (f *framed) DecodeWire(r *wire.Reader, _ wire.Proto) error {
	var chunks [][]byte
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return err
		}
		n := binary.LittleEndian.Uint64(hdr[:])
		if n == 0 {
			f.Chunks = chunks
			return nil
		}
		if n > 1<<20 {
			return wire.ErrTooLarge
		}
		c := make([]byte, n)
		if _, err := io.ReadFull(r, c); err != nil {
			return err
		}
		chunks = append(chunks, c)
	}
}
