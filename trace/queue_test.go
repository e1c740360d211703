package trace

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestQueueOrderAndEnd(t *testing.T) {
	q := newQueue(4 << 20)
	var want bytes.Buffer
	for i := range 50 {
		p := bytes.Repeat([]byte{byte(i)}, 1000*i+1)
		want.Write(p)
		if q.push(p) {
			t.Fatal("overflow below the bound")
		}
	}
	q.end(io.EOF)
	got, err := io.ReadAll(q)
	if err != nil || !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("read %d bytes, %v; want the %d pushed, in order", len(got), err, want.Len())
	}
}

// Small pushes share chunks: the memory a queue holds follows the bytes
// waiting (which its bound limits), not the number of pushes.
func TestQueueSmallPushesShareChunks(t *testing.T) {
	q := newQueue(1 << 20)
	var want bytes.Buffer
	for i := range 4000 {
		p := bytes.Repeat([]byte{byte(i)}, 80)
		want.Write(p)
		q.push(p)
	}
	if n, most := len(q.chunks)-q.first, want.Len()/chunkSize+1; n > most {
		t.Errorf("%d bytes in %d small pushes are held in %d chunks of %d bytes; want at most %d", want.Len(), 4000, n, chunkSize, most)
	}
	// Pushes interleaved with partial reads stay in order.
	var got bytes.Buffer
	buf := make([]byte, 100)
	for q.waiting > 0 {
		n, err := q.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got.Write(buf[:n])
		if got.Len() < 2000 {
			p := []byte("more")
			want.Write(p)
			q.push(p)
		}
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("read %d bytes, not the %d pushed in order", got.Len(), want.Len())
	}
}

func TestQueueOverflowAndStop(t *testing.T) {
	q := newQueue(100)
	if q.push(make([]byte, 60)) || !q.push(make([]byte, 60)) {
		t.Fatal("the push past the bound did not report the overflow")
	}
	if q.push(make([]byte, 1)) {
		t.Error("a stopped queue reported a second overflow")
	}
	if _, err := q.Read(make([]byte, 10)); !errors.Is(err, errStopped) {
		t.Errorf("Read of a stopped queue: %v; want errStopped", err)
	}
	q = newQueue(100)
	q.push([]byte("ab"))
	q.end(errors.New("reset"))
	b := make([]byte, 10)
	if n, err := q.Read(b); n != 2 || err != nil {
		t.Fatalf("Read = %d, %v", n, err)
	}
	if _, err := q.Read(b); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Read after a broken end: %v; want io.ErrUnexpectedEOF", err)
	}
}

// The forwarding path hands every chunk to the queue: once warm, a queue
// the decoder keeps up with must not allocate.
func TestQueueDoesNotAllocate(t *testing.T) {
	q := newQueue(1 << 20)
	chunk := make([]byte, 32<<10)
	buf := make([]byte, 64<<10)
	cycle := func() {
		q.push(chunk)
		q.push(chunk)
		for q.waiting > 0 {
			q.Read(buf)
		}
	}
	cycle()
	// Under the race detector sync.Pool drops a quarter of what is put
	// back: each of the cycle's two chunks is then made again now and
	// then.
	want := 0.0
	if raceEnabled {
		want = 2
	}
	if n := testing.AllocsPerRun(100, cycle); n > want {
		t.Errorf("a push and read cycle allocates %v times; want %v", n, want)
	}
}
