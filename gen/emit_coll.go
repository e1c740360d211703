package gen

import (
	"github.com/dave/jennifer/jen"
)

// Emitters of collections: list<T> and set<T>, map<K,V>, optional<T>.

// streamPrealloc caps the elements allocated for a count read on the
// stream path before the elements have arrived; the slice grows as they do.
const streamPrealloc = 1024

// countCheck refuses, on encode, a count outside the limits:
//
//	if uint64(len(v)) > 1048576 { return ..., wire.EncodeError("T", ".F", &wire.LimitError{...}) }
func (c *fn) countCheck(t *typ, v val, p fieldPath) []jen.Code {
	return c.lenCheck("count", v, t.min, t.max, true, true, p)
}

// readCount reads a count into a new variable n0:
//
//	var n0 int
//	if n0, b, err = wire.ConsumeCount(b, 0, 1048576, 8); err != nil { ... }
//	if n0, err = r.Count(0, 1048576); err != nil { ... }
func (c *fn) readCount(t *typ, elemMin int, p fieldPath) (string, []jen.Code) {
	n := c.temp("n")
	var call *jen.Statement
	if c.mode == mConsume {
		call = wireID("ConsumeCount").Call(jen.Id("b"), num(t.min), num(t.max), jen.Lit(elemMin))
	} else {
		call = jen.Id("r").Dot("Count").Call(num(t.min), num(t.max))
	}
	return n, []jen.Code{jen.Var().Id(n).Int(), c.read(jen.Id(n), call, p)}
}

// rangeLoop ranges over the slice or map v with index or key variable k
// and element variable e, leaving out those the body does not use:
//
//	for i0, e0 := range v { ... }
func (c *fn) rangeLoop(v jen.Code, k, e string, body []jen.Code) jen.Code {
	useK, useE := c.used[k], c.used[e]
	switch {
	case useE:
		kid := jen.Id(k)
		if !useK {
			kid = jen.Id("_")
		}
		return jen.For(jen.List(kid, jen.Id(e)).Op(":=").Range().Add(v)).Block(body...)
	case useK:
		return jen.For(jen.Id(k).Op(":=").Range().Add(v)).Block(body...)
	}
	return jen.For(jen.Range().Add(v)).Block(body...)
}

// byIndex reports whether elements of t are best reached by index rather
// than copied by range (structs, which may be large and have pointer
// methods).
func byIndex(t *typ) bool { return t.kind == kStruct }

// listEmitter: list<T> and set<T>; terminated ones are in emit_term.go.
type listEmitter struct{}

// size:
//
//	n += 8 + len(v)*8                       // elements of a fixed size
//	n += 8; for _, e0 := range v { n += wire.BytesSize(len(e0)) }
func (listEmitter) size(c *fn, t *typ, v val) (int, []jen.Code) {
	if k := t.elem.fixedSize(); k >= 0 {
		return 8, []jen.Code{jen.Id("n").Op("+=").Len(v.expr()).Op("*").Lit(k)}
	}
	return 8, c.eachElem(t, v, func(e val) []jen.Code {
		fixed, code := c.size(t.elem, e)
		if fixed > 0 {
			code = append([]jen.Code{jen.Id("n").Op("+=").Lit(fixed)}, code...)
		}
		return code
	}, nil)
}

// eachElem loops over the elements of the slice v:
//
//	for i0, e0 := range v { body(e0) }
//	l0 := v; for i0 := range l0 { body(l0[i0]) } // elements by index
//
// If i is not nil, the index variable's name is stored there before body
// is called.
func (c *fn) eachElem(t *typ, v val, body func(e val) []jen.Code, i *string) []jen.Code {
	iv := c.temp("i")
	if i != nil {
		*i = iv
	}
	if byIndex(t.elem) {
		l := c.temp("l")
		c.used[iv] = true
		return []jen.Code{jen.Id(l).Op(":=").Add(v.expr()),
			jen.For(jen.Id(iv).Op(":=").Range().Id(l)).Block(body(indexed(l, iv))...)}
	}
	e := c.temp("e")
	code := body(local(e))
	c.used[e] = true
	return []jen.Code{c.rangeLoop(v.expr(), iv, e, code)}
}

// appendTo:
//
//	if uint64(len(v)) > 1048576 { ... }
//	b = wire.AppendUint64(b, uint64(len(v)))
//	for i0, e0 := range v { ...append e0 at path [i0]... }
func (listEmitter) appendTo(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	if t.terminated {
		return c.termWrite(t, v, p)
	}
	code := c.countCheck(t, v, p)
	code = append(code, appendU64(jen.Uint64().Call(jen.Len(v.expr()))))
	var i string
	return append(code, c.eachElem(t, v, func(e val) []jen.Code { return c.value(t.elem, e, p.index(i)) }, &i)...)
}

// encode:
//
//	if uint64(len(v)) > 1048576 { ... }
//	w.Uint64(uint64(len(v)))
//	for i0, e0 := range v { ...encode e0 at path [i0]... }
func (listEmitter) encode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	if t.terminated {
		return c.termWrite(t, v, p)
	}
	code := c.countCheck(t, v, p)
	code = append(code, writeU64(jen.Uint64().Call(jen.Len(v.expr()))))
	var i string
	return append(code, c.eachElem(t, v, func(e val) []jen.Code { return c.value(t.elem, e, p.index(i)) }, &i)...)
}

// consume: the count is checked against what b can hold before the slice
// is made, so the elements are made at once (reusing v's capacity):
//
//	var n0 int
//	if n0, b, err = wire.ConsumeCount(b, 0, 1048576, 8); err != nil { ... }
//	l0 := v
//	if cap(l0) >= n0 {
//		l0 = l0[:n0]
//	} else {
//		l0 = make([]T, n0)
//	}
//	for i0 := range l0 { ...consume l0[i0] at path [i0]... }
//	v = l0
//
// Elements that may take no bytes at all are appended as in decode.
func (listEmitter) consume(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	if t.terminated {
		return c.termRead(t, v, p)
	}
	elemMin := t.elem.minSize()
	n, code := c.readCount(t, elemMin, p)
	if elemMin == 0 {
		return append(code, c.growList(t, v, n, p)...)
	}
	l, i := c.temp("l"), c.temp("i")
	c.used[i] = true
	return append(code,
		jen.Id(l).Op(":=").Add(v.expr()),
		jen.If(jen.Cap(jen.Id(l)).Op(">=").Id(n)).Block(
			jen.Id(l).Op("=").Id(l).Index(jen.Empty(), jen.Id(n)),
		).Else().Block(
			jen.Id(l).Op("=").Make(c.g.goType(t), jen.Id(n)),
		),
		jen.For(jen.Id(i).Op(":=").Range().Id(l)).Block(c.value(t.elem, indexed(l, i), p.index(i))...),
		v.expr().Op("=").Id(l),
	)
}

// decode: the count cannot be checked against the input, so at most
// streamPrealloc elements are made before they arrive, and then the list
// grows by doubling as they do, to exactly n0 elements (wire.GrowList):
//
//	var n0 int
//	if n0, err = r.Count(0, 1048576); err != nil { ... }
//	l0 := v
//	if cap(l0) >= n0 {
//		l0 = l0[:n0]
//	} else {
//		l0 = make([]T, min(n0, 1024))
//	}
//	for i0 := range n0 {
//		if i0 == len(l0) {
//			l0 = wire.GrowList(l0, n0, 1024)
//		}
//		...decode l0[i0] at path [i0]...
//	}
//	v = l0
func (listEmitter) decode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	if t.terminated {
		return c.termRead(t, v, p)
	}
	n, code := c.readCount(t, 0, p)
	return append(code, c.growList(t, v, n, p)...)
}

func (c *fn) growList(t *typ, v val, n string, p fieldPath) []jen.Code {
	l, i := c.temp("l"), c.temp("i")
	c.used[i] = true
	body := []jen.Code{
		jen.If(jen.Id(i).Op("==").Len(jen.Id(l))).Block(
			jen.Id(l).Op("=").Add(wireID("GrowList")).Call(jen.Id(l), jen.Id(n), jen.Lit(streamPrealloc)),
		),
	}
	body = append(body, c.value(t.elem, indexed(l, i), p.index(i))...)
	return []jen.Code{
		jen.Id(l).Op(":=").Add(v.expr()),
		jen.If(jen.Cap(jen.Id(l)).Op(">=").Id(n)).Block(
			jen.Id(l).Op("=").Id(l).Index(jen.Empty(), jen.Id(n)),
		).Else().Block(
			jen.Id(l).Op("=").Make(c.g.goType(t), jen.Min(jen.Id(n), jen.Lit(streamPrealloc))),
		),
		jen.For(jen.Id(i).Op(":=").Range().Id(n)).Block(body...),
		v.expr().Op("=").Id(l),
	}
}

// mapEmitter: map<K,V>, encoded with its keys in ascending order.
type mapEmitter struct{}

// size:
//
//	n += 8 + len(v)*16                      // keys and values of a fixed size
//	n += 8; for k0, e0 := range v { n += ... }
func (mapEmitter) size(c *fn, t *typ, v val) (int, []jen.Code) {
	kf, vf := t.key.fixedSize(), t.elem.fixedSize()
	if kf >= 0 && vf >= 0 {
		return 8, []jen.Code{jen.Id("n").Op("+=").Len(v.expr()).Op("*").Lit(kf + vf)}
	}
	k, e := c.temp("k"), c.temp("e")
	kfix, kcode := c.size(t.key, local(k))
	efix, ecode := c.size(t.elem, local(e))
	var code []jen.Code
	if kfix+efix > 0 {
		code = append(code, jen.Id("n").Op("+=").Lit(kfix+efix))
	}
	code = append(append(code, kcode...), ecode...)
	c.used[k], c.used[e] = len(kcode) > 0, len(ecode) > 0
	return 8, []jen.Code{c.rangeLoop(v.expr(), k, e, code)}
}

// sortedKeys collects and sorts the keys of the map v; small maps need no
// allocation:
//
//	var ka0 [16]K
//	ks0 := ka0[:0]
//	for k := range v {
//		ks0 = append(ks0, k)
//	}
//	slices.Sort(ks0)
func (c *fn) sortedKeys(t *typ, v val) (string, []jen.Code) {
	ka, ks, k := c.temp("ka"), c.temp("ks"), c.temp("k")
	return ks, []jen.Code{
		jen.Var().Id(ka).Index(jen.Lit(16)).Add(c.g.goType(t.key)),
		jen.Id(ks).Op(":=").Id(ka).Index(jen.Empty(), jen.Lit(0)),
		jen.For(jen.Id(k).Op(":=").Range().Add(v.expr())).Block(
			jen.Id(ks).Op("=").Append(jen.Id(ks), jen.Id(k)),
		),
		jen.Qual(slicesPkg, "Sort").Call(jen.Id(ks)),
	}
}

// entries emits the count and the entries of the map v in key order, for
// appendTo and encode:
//
//	if uint64(len(v)) > 1048576 { ... }
//	b = wire.AppendUint64(b, uint64(len(v)))
//	...sortedKeys...
//	for _, k0 := range ks0 {
//		...key k0 at path [#i]... (keys are checked as values are)
//		e0 := v[k0]
//		...value e0 at path [k0]...
//	}
func (c *fn) entries(t *typ, v val, p fieldPath, count jen.Code) []jen.Code {
	code := c.countCheck(t, v, p)
	code = append(code, count)
	ks, sorted := c.sortedKeys(t, v)
	code = append(code, sorted...)
	k, e := c.temp("k"), c.temp("e")
	body := c.value(t.key, local(k), p.key(local(k), t.key))
	body = append(body, jen.Id(e).Op(":=").Add(v.operand()).Index(jen.Id(k)))
	body = append(body, c.value(t.elem, local(e), p.key(local(k), t.key))...)
	return append(code, jen.For(jen.List(jen.Id("_"), jen.Id(k)).Op(":=").Range().Id(ks)).Block(body...))
}

// appendTo: see entries.
func (mapEmitter) appendTo(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return c.entries(t, v, p, appendU64(jen.Uint64().Call(jen.Len(v.expr()))))
}

// encode: see entries.
func (mapEmitter) encode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return c.entries(t, v, p, writeU64(jen.Uint64().Call(jen.Len(v.expr()))))
}

// consume, decode: an existing map is cleared and reused; keys must come in
// strictly ascending order, so that every decoded map re-encodes to the
// same bytes:
//
//	var n0 int
//	if n0, b, err = wire.ConsumeCount(b, 0, 1048576, 16); err != nil { ... }
//	m0 := v
//	if m0 == nil && n0 > 0 {
//		m0 = make(map[K]V, n0) // min(n0, 1024) on the stream path
//	} else {
//		clear(m0)
//	}
//	var kp0 K
//	for i0 := range n0 {
//		var k0 K
//		...read k0 at path [#i0]...
//		if i0 > 0 && k0 <= kp0 {
//			return ..., wire.ConsumeError("T", ".F[#"+strconv.Itoa(i0)+"]", ..., wire.ErrInvalid)
//		}
//		kp0 = k0
//		var e0 V
//		...read e0 at path [k0]...
//		m0[k0] = e0
//	}
//	v = m0
func (c *fn) readMap(t *typ, v val, p fieldPath) []jen.Code {
	elemMin := t.key.minSize() + t.elem.minSize()
	n, code := c.readCount(t, elemMin, p)
	m, kp, i, k, e := c.temp("m"), c.temp("kp"), c.temp("i"), c.temp("k"), c.temp("e")
	c.used[i] = true
	size := jen.Id(n)
	if c.mode == mDecode {
		size = jen.Min(jen.Id(n), jen.Lit(streamPrealloc))
	}
	keyPath := p.entry(i)
	body := []jen.Code{jen.Var().Id(k).Add(c.g.goType(t.key))}
	body = append(body, c.value(t.key, local(k), keyPath)...)
	body = append(body,
		c.failIf(jen.Id(i).Op(">").Lit(0).Op("&&").Id(k).Op("<=").Id(kp), keyPath, c.valueStart(t.key, local(k)), wireID("ErrInvalid")),
		jen.Id(kp).Op("=").Id(k),
		jen.Var().Id(e).Add(c.g.goType(t.elem)),
	)
	body = append(body, c.value(t.elem, local(e), p.key(local(k), t.key))...)
	body = append(body, jen.Id(m).Index(jen.Id(k)).Op("=").Id(e))
	return append(code,
		jen.Id(m).Op(":=").Add(v.expr()),
		jen.If(jen.Id(m).Op("==").Nil().Op("&&").Id(n).Op(">").Lit(0)).Block(
			jen.Id(m).Op("=").Make(c.g.goType(t), size),
		).Else().Block(
			jen.Clear(jen.Id(m)),
		),
		jen.Var().Id(kp).Add(c.g.goType(t.key)),
		jen.For(jen.Id(i).Op(":=").Range().Id(n)).Block(body...),
		v.expr().Op("=").Id(m),
	)
}

func (mapEmitter) consume(c *fn, t *typ, v val, p fieldPath) []jen.Code { return c.readMap(t, v, p) }
func (mapEmitter) decode(c *fn, t *typ, v val, p fieldPath) []jen.Code  { return c.readMap(t, v, p) }

// optionalEmitter: optional<T>, a *T: the u64 tag 0 for nil, or 1 and the
// value. An optional union is the union's interface itself, nil meaning
// none (a pointer to an interface would be a second kind of nil).
type optionalEmitter struct{}

// optInner returns the value that an optional v holds: *v, or v itself for
// a union.
func optInner(t *typ, v val) val {
	if t.elem.kind == kUnion {
		return v
	}
	return deref(v)
}

// size:
//
//	n += 8
//	if v != nil { n += ...size of *v... }
func (optionalEmitter) size(c *fn, t *typ, v val) (int, []jen.Code) {
	fixed, code := c.size(t.elem, optInner(t, v))
	if fixed > 0 {
		code = append([]jen.Code{jen.Id("n").Op("+=").Lit(fixed)}, code...)
	}
	return 8, []jen.Code{jen.If(v.expr().Op("!=").Nil()).Block(code...)}
}

// appendTo:
//
//	if v == nil {
//		b = wire.AppendUint64(b, 0)
//	} else {
//		b = wire.AppendUint64(b, 1)
//		...append *v...
//	}
func (optionalEmitter) appendTo(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{jen.If(v.expr().Op("==").Nil()).Block(appendU64(jen.Lit(0))).Else().Block(
		append([]jen.Code{appendU64(jen.Lit(1))}, c.value(t.elem, optInner(t, v), p)...)...)}
}

// encode: as appendTo, with w.Uint64.
func (optionalEmitter) encode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return []jen.Code{jen.If(v.expr().Op("==").Nil()).Block(writeU64(jen.Lit(0))).Else().Block(
		append([]jen.Code{writeU64(jen.Lit(1))}, c.value(t.elem, optInner(t, v), p)...)...)}
}

// consume, decode: an existing *v is reused (a union is decoded afresh).
//
//	var t0 uint64
//	if t0, b, err = wire.ConsumeUint64(b); err != nil { ... }
//	switch t0 {
//	case 0:
//		v = nil
//	case 1:
//		if v == nil {
//			v = new(T)
//		}
//		...read *v...
//	default:
//		return ..., wire.ConsumeError("T", ".F", len(orig)-len(b)-8, wire.Invalid("optional tag", t0))
//	}
func (c *fn) readOptional(t *typ, v val, p fieldPath) []jen.Code {
	tag := c.temp("t")
	code := []jen.Code{jen.Var().Id(tag).Uint64()}
	if c.mode == mConsume {
		code = append(code, c.read(jen.Id(tag), wireID("ConsumeUint64").Call(jen.Id("b")), p))
	} else {
		code = append(code, c.read(jen.Id(tag), jen.Id("r").Dot("Uint64").Call(), p))
	}
	var some []jen.Code
	if t.elem.kind != kUnion {
		some = []jen.Code{jen.If(v.expr().Op("==").Nil()).Block(v.expr().Op("=").New(c.g.goType(t.elem)))}
	}
	some = append(some, c.value(t.elem, optInner(t, v), p)...)
	return append(code, jen.Switch(jen.Id(tag)).Block(
		jen.Case(jen.Lit(0)).Block(v.expr().Op("=").Nil()),
		jen.Case(jen.Lit(1)).Block(some...),
		jen.Default().Block(c.fail(p, offBack(func() jen.Code { return jen.Lit(8) }), wireID("Invalid").Call(jen.Lit("optional tag"), jen.Id(tag)))),
	))
}

func (optionalEmitter) consume(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return c.readOptional(t, v, p)
}

func (optionalEmitter) decode(c *fn, t *typ, v val, p fieldPath) []jen.Code {
	return c.readOptional(t, v, p)
}
