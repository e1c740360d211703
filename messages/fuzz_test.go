package messages

// Fuzz targets: decoding every op's request (as a server does) and reply
// (as a client does) from the op tables, and the STDERR frame union, at
// several versions. For every input: no panic; the byte path
// (ConsumeWire) and the stream path (DecodeWire) both succeed or both
// fail; what decodes re-encodes to exactly the bytes consumed, on both
// paths, with WireSize equal to that count, and both paths decode the
// same value. TestDecodeAllocBounded checks, over the seeds and forged
// variants of them, that decoding allocates no more than a multiple of the
// input size plus a constant.
//
// The seeds are built in f.Add from Nix's golden files, the vectors in
// testdata/vectors and one generated value per op at four versions. Run one
// target with, for example:
//
//	go test -run='^$' -fuzz='^FuzzWorkerRequest$' -fuzztime=20s ./messages/

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nixwire/nixwire/schema"
	"github.com/nixwire/nixwire/wire"
)

// fuzzWorkerProtos and fuzzServeProtos are the versions a fuzz input picks
// from (by index, modulo the length; keep the order stable: seeds name
// versions by index).
var (
	fuzzWorkerProtos = append(workerProtos(),
		wire.P(1, 11), wire.P(1, 12), wire.P(1, 14), wire.P(1, 17), wire.P(1, 20), wire.P(1, 22), wire.P(1, 23),
		wire.P(1, 26), wire.P(1, 28), wire.P(1, 31), wire.P(1, 33), wire.P(1, 36))
	fuzzServeProtos = serveProtos()
)

// fuzzSide is what a fuzz target decodes.
type fuzzSide int

const (
	sideRequest fuzzSide = iota // an op's request, as a server reads it
	sideReply                   // an op's reply, as a client reads it
	sideStderr                  // a STDERR frame
)

// fuzzTarget is one fuzz target's table and versions.
type fuzzTarget struct {
	name   string
	table  wire.OpTable // nil for sideStderr
	protos []wire.Proto
	side   fuzzSide
}

var fuzzTargets = []fuzzTarget{
	{"FuzzWorkerRequest", WorkerOps, fuzzWorkerProtos, sideRequest},
	{"FuzzWorkerReply", replyOps(WorkerOps), fuzzWorkerProtos, sideReply},
	{"FuzzServeRequest", ServeOps, fuzzServeProtos, sideRequest},
	{"FuzzServeReply", replyOps(ServeOps), fuzzServeProtos, sideReply},
	{"FuzzStderr", nil, fuzzWorkerProtos, sideStderr},
}

// replyOps are the ops that have a reply message.
func replyOps(t wire.OpTable) wire.OpTable {
	var out wire.OpTable
	for _, op := range t {
		if op.NewReply != nil {
			out = append(out, op)
		}
	}
	return out
}

// newMsg returns the message an input of target ft decodes into.
func (ft *fuzzTarget) newMsg(op int) wire.Message {
	switch ft.side {
	case sideRequest:
		return ft.table[op%len(ft.table)].NewRequest()
	case sideReply:
		return ft.table[op%len(ft.table)].NewReply()
	}
	return &unionMsg{c: unionCodecs["Stderr"]}
}

// fuzzSeed is one seed input.
type fuzzSeed struct {
	proto, op uint8
	data      []byte
}

var (
	fuzzSeedsOnce sync.Once
	fuzzSeedsMap  map[string][]fuzzSeed
)

// fuzzSeeds returns the seeds of every target, by target name.
func fuzzSeeds(tb testing.TB) map[string][]fuzzSeed {
	fuzzSeedsOnce.Do(func() { fuzzSeedsMap = buildFuzzSeeds(tb) })
	return fuzzSeedsMap
}

func buildFuzzSeeds(tb testing.TB) map[string][]fuzzSeed {
	seeds := map[string][]fuzzSeed{}
	byName := map[string]*fuzzTarget{}
	for i := range fuzzTargets {
		byName[fuzzTargets[i].name] = &fuzzTargets[i]
	}
	protoIndex := func(ps []wire.Proto, p wire.Proto) int {
		return slices.IndexFunc(ps, func(q wire.Proto) bool { return q.Version == p.Version && q.Features.Equal(p.Features) })
	}
	// Messages of the files: each item is a seed for the targets that
	// decode its type, with the rest of the file after it.
	add := func(data []byte, p wire.Proto, want []wire.Message) {
		worker := p.Version < wire.V(2, 0)
		off := 0
		for _, w := range want {
			rest := data[off:]
			off += w.WireSize(p)
			typ := reflect.TypeOf(w)
			isFrame := typ == reflect.TypeFor[*frame]()
			for _, ft := range fuzzTargets {
				if (ft.protos[0].Version < wire.V(2, 0)) != worker || (ft.side == sideStderr) != isFrame {
					continue
				}
				pi := protoIndex(ft.protos, p)
				if pi < 0 {
					continue
				}
				if ft.side == sideStderr {
					seeds[ft.name] = append(seeds[ft.name], fuzzSeed{uint8(pi), 0, rest})
					continue
				}
				for oi, op := range ft.table {
					var m wire.Message
					if ft.side == sideRequest {
						m = op.NewRequest()
					} else {
						m = op.NewReply()
					}
					if reflect.TypeOf(m) == typ {
						seeds[ft.name] = append(seeds[ft.name], fuzzSeed{uint8(pi), uint8(oi), rest})
						break
					}
				}
			}
		}
	}
	for _, c := range allGoldenCases() {
		data, err := os.ReadFile(filepath.Join(goldenDir, c.file))
		if err != nil {
			tb.Fatal(err)
		}
		add(data, c.proto, c.want)
	}
	for _, c := range vectorCases() {
		data, err := os.ReadFile(filepath.Join(vectorDir, c.file))
		if err != nil {
			tb.Fatal(err)
		}
		add(data, c.proto, c.want)
	}
	// One generated value per op and a few versions.
	pkg := loadSchema(tb)
	types := goTypes()
	for _, name := range []string{"FuzzWorkerRequest", "FuzzWorkerReply", "FuzzServeRequest", "FuzzServeReply"} {
		ft := byName[name]
		for oi := range ft.table {
			for _, pi := range []int{0, len(ft.protos) / 2, len(workerVersions) - 1, len(ft.protos) - 1} {
				pi = min(pi, len(ft.protos)-1)
				p := ft.protos[pi]
				m := ft.newMsg(oi)
				d := pkg.Lookup(reflect.TypeOf(m).Elem().Name())
				g := &filler{rng: rand.New(rand.NewPCG(uint64(oi), uint64(pi))), p: p, types: types}
				g.fill(reflect.ValueOf(m).Elem(), &schema.Type{Kind: schema.Ref, Decl: d})
				b, err := m.AppendWire(nil, p)
				if err != nil {
					tb.Fatalf("seed for %s op %d at %v: %v", name, oi, p, err)
				}
				seeds[name] = append(seeds[name], fuzzSeed{uint8(pi), uint8(oi), b})
			}
		}
	}
	return seeds
}

func fuzzOps(f *testing.F, name string) {
	ft := &fuzzTargets[slices.IndexFunc(fuzzTargets, func(ft fuzzTarget) bool { return ft.name == name })]
	for _, s := range fuzzSeeds(f)[name] {
		f.Add(s.proto, s.op, s.data)
	}
	f.Fuzz(func(t *testing.T, proto, op uint8, data []byte) {
		p := ft.protos[int(proto)%len(ft.protos)]
		checkDecode(t, func() wire.Message { return ft.newMsg(int(op)) }, data, p)
	})
}

func FuzzWorkerRequest(f *testing.F) { fuzzOps(f, "FuzzWorkerRequest") }
func FuzzWorkerReply(f *testing.F)   { fuzzOps(f, "FuzzWorkerReply") }
func FuzzServeRequest(f *testing.F)  { fuzzOps(f, "FuzzServeRequest") }
func FuzzServeReply(f *testing.F)    { fuzzOps(f, "FuzzServeReply") }
func FuzzStderr(f *testing.F)        { fuzzOps(f, "FuzzStderr") }

// checkDecode decodes data on both paths and checks the properties above.
func checkDecode(t *testing.T, mk func() wire.Message, data []byte, p wire.Proto) {
	t.Helper()
	m := mk()
	rest, err := m.ConsumeWire(data, p)
	m2 := mk()
	r := wire.NewReaderSize(bytes.NewReader(data), 64)
	err2 := m2.DecodeWire(r, p)
	if (err == nil) != (err2 == nil) {
		t.Fatalf("%T at %v: ConsumeWire: %v; DecodeWire: %v\ninput: % x", m, p, err, err2, data)
	}
	if err != nil {
		return
	}
	n := len(data) - len(rest)
	if r.Offset() != int64(n) {
		t.Fatalf("%T at %v: ConsumeWire consumed %d bytes, DecodeWire %d", m, p, n, r.Offset())
	}
	if diff := cmp.Diff(cmpValue(m), cmpValue(m2), cmpOpts...); diff != "" {
		t.Fatalf("%T at %v: the paths decode differently (-ConsumeWire +DecodeWire):\n%s", m, p, diff)
	}
	if size := m.WireSize(p); size != n {
		t.Fatalf("%T at %v: WireSize %d, %d bytes consumed", m, p, size, n)
	}
	b, err := m.AppendWire(nil, p)
	if err != nil {
		t.Fatalf("%T at %v: a decoded value does not encode: %v", m, p, err)
	}
	if !bytes.Equal(b, data[:n]) {
		t.Fatalf("%T at %v: not canonical: re-encoding differs from the input:\n%s", m, p, hexDiff(data[:n], b))
	}
	var buf bytes.Buffer
	w := wire.NewWriterSize(&buf, 64)
	if err := m2.EncodeWire(w, p); err != nil {
		t.Fatalf("%T at %v: EncodeWire: %v", m, p, err)
	}
	if err := w.Flush(); err != nil || !bytes.Equal(buf.Bytes(), data[:n]) {
		t.Fatalf("%T at %v: EncodeWire differs from the input (%v):\n%s", m, p, err, hexDiff(data[:n], buf.Bytes()))
	}
}

// Allocation bounds of one decode: allocFactor bytes per input byte plus a
// constant. The stream path may also commit one growth step of a payload
// whose forged length says more than arrived (wire's bigPacketStep, 4 MiB,
// capped by the field's limit) and up to 1024 preallocated elements of a
// collection whose forged count says more than arrived.
// Under the race detector that growth step is allocated twice (the
// compiler's append(b, make([]byte, n)...) optimisation is off).
const (
	allocFactor    = 32
	allocConstByte = 64 << 10
	growthStep     = 4 << 20
)

var allocConstStream = uint64(growthStep*(1+btoi(raceEnabled)) + 512<<10)

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestDecodeAllocBounded decodes every seed, and variants of it in which
// one u64 (a length, count or tag) is forged, on both paths, and checks
// the bytes allocated.
func TestDecodeAllocBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("slow-ish: measures allocations one decode at a time")
	}
	forged := []uint64{1 << 20, 1 << 24}
	r := wire.NewReader(nil)
	br := bytes.NewReader(nil)
	var worstByte, worstStream struct {
		alloc uint64
		n     int
	}
	measure := func(decode func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		decode()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	decodes := 0
	for _, ft := range fuzzTargets {
		for _, s := range fuzzSeeds(t)[ft.name] {
			p := ft.protos[int(s.proto)%len(ft.protos)]
			inputs := [][]byte{s.data}
			for off := 0; off+8 <= len(s.data) && off < 16*8; off += 8 {
				for _, v := range forged {
					in := bytes.Clone(s.data)
					binary.LittleEndian.PutUint64(in[off:], v)
					inputs = append(inputs, in)
				}
			}
			for _, in := range inputs {
				decodes++
				byteAlloc := measure(func() { _, _ = ft.newMsg(int(s.op)).ConsumeWire(in, p) })
				br.Reset(in)
				r.Reset(br)
				streamAlloc := measure(func() { _ = ft.newMsg(int(s.op)).DecodeWire(r, p) })
				limit := uint64(allocFactor*len(in)) + allocConstByte
				if byteAlloc > limit {
					t.Errorf("%s: %T at %v allocated %d bytes decoding %d bytes on the byte path (limit %d)\ninput: % x",
						ft.name, ft.newMsg(int(s.op)), p, byteAlloc, len(in), limit, in)
				}
				if limit := uint64(allocFactor*len(in)) + allocConstStream; streamAlloc > limit {
					t.Errorf("%s: %T at %v allocated %d bytes decoding %d bytes on the stream path (limit %d)\ninput: % x",
						ft.name, ft.newMsg(int(s.op)), p, streamAlloc, len(in), limit, in)
				}
				if byteAlloc > worstByte.alloc {
					worstByte.alloc, worstByte.n = byteAlloc, len(in)
				}
				if streamAlloc > worstStream.alloc {
					worstStream.alloc, worstStream.n = streamAlloc, len(in)
				}
			}
		}
	}
	t.Logf("%d decodes; largest allocations: byte path %d bytes (for %d input bytes), stream path %d bytes (for %d)",
		decodes, worstByte.alloc, worstByte.n, worstStream.alloc, worstStream.n)
}
