package gen

import (
	"math"

	"github.com/dave/jennifer/jen"
)

// Terminated lists: list<T, terminated> (and set) has no count. Each
// element begins with a non-empty string, its lead: T itself when T is
// string-based, else the first field of the struct T. An empty string
// (the u64 0) where the next lead would be ends the list. A decoder reads
// the lead to know whether an element follows, then the rest of the
// element: the struct's other elements, emitted inline (the checker
// rejects structs whose inline code would contain itself). The size is
// that of a counted list: the terminator takes the place of the count.

// leadOfElem returns the lead of the element e of the terminated list t at
// path p: the value, its type and its path.
func leadOfElem(t *typ, e val, p fieldPath) (val, *typ, fieldPath) {
	if t.elem.kind == kStruct {
		first := t.elem.strct.elems[0]
		return field(e, first.name), first.t, p.add("." + first.name)
	}
	return e, t.elem, p
}

// termWrite emits the elements and the terminator, for appendTo and
// encode; an element with an empty lead would end the list early, so it
// is refused:
//
//	if uint64(len(v)) > 4096 { ... }
//	l0 := v
//	for i0 := range l0 {
//		if len(l0[i0].Path) == 0 {
//			return ..., wire.EncodeError("T", ".F["+strconv.Itoa(i0)+"].Path", wire.ErrInvalid)
//		}
//		...encode l0[i0] at path [i0]...
//	}
//	b = wire.AppendUint64(b, 0) // w.Uint64(0)
func (c *fn) termWrite(t *typ, v val, p fieldPath) []jen.Code {
	code := c.countCheck(t, v, p)
	var i string
	code = append(code, c.eachElem(t, v, func(e val) []jen.Code {
		ep := p.index(i)
		lead, _, lp := leadOfElem(t, e, ep)
		body := []jen.Code{c.failIf(jen.Len(lead.expr()).Op("==").Lit(0), lp, nil, wireID("ErrInvalid"))}
		return append(body, c.value(t.elem, e, ep)...)
	}, &i)...)
	if c.mode == mAppend {
		return append(code, appendU64(jen.Lit(0)))
	}
	return append(code, writeU64(jen.Lit(0)))
}

// termRead emits the decoding of a terminated list, for consume and
// decode. Elements are decoded in place, reusing the capacity of v and of
// the elements' own slices; the count is checked as the list grows:
//
//	l0 := v[:0]
//	for i0 := 0; ; i0++ {
//		if i0 < cap(l0) {
//			l0 = l0[:i0+1]
//		} else {
//			l0 = append(l0, T{})
//		}
//		...read the lead l0[i0].Path at path [i0].Path, any length up to its max...
//		if len(l0[i0].Path) == 0 {
//			if uint64(i0) < 1 { ...count below its minimum, at the terminator... }
//			l0 = l0[:i0]
//			break
//		}
//		if uint64(i0) == 4096 { ...count above its maximum, at the lead... }
//		...the lead's minimum length and Validate...
//		...the struct's other elements, inline, into l0[i0]...
//	}
//	v = l0
func (c *fn) termRead(t *typ, v val, p fieldPath) []jen.Code {
	l, i := c.temp("l"), c.temp("i")
	c.used[i] = true
	slot := indexed(l, i)
	ep := p.index(i)
	lead, lt, lp := leadOfElem(t, slot, ep)
	count := func(n jen.Code) jen.Code { return limitError("count", n, t.min, t.max) }
	body := []jen.Code{
		jen.If(jen.Id(i).Op("<").Cap(jen.Id(l))).Block(
			jen.Id(l).Op("=").Id(l).Index(jen.Empty(), jen.Id(i).Op("+").Lit(1)),
		).Else().Block(
			jen.Id(l).Op("=").Append(jen.Id(l), c.g.zero(t.elem)),
		),
	}
	body = append(body, c.readPacket(lt, lead, 0, lt.max, lp)...)
	var end []jen.Code
	if t.min > 0 {
		end = append(end, c.failIf(jen.Uint64().Call(jen.Id(i)).Op("<").Add(num(t.min)), p,
			offBack(func() jen.Code { return jen.Lit(8) }), count(jen.Uint64().Call(jen.Id(i)))))
	}
	end = append(end, jen.Id(l).Op("=").Id(l).Index(jen.Empty(), jen.Id(i)), jen.Break())
	body = append(body, jen.If(jen.Len(lead.expr()).Op("==").Lit(0)).Block(end...))
	if t.max < math.MaxInt64 {
		body = append(body, c.failIf(jen.Uint64().Call(jen.Id(i)).Op("==").Add(num(t.max)), p,
			c.valueStart(lt, lead), count(jen.Uint64().Call(jen.Id(i)).Op("+").Lit(1))))
	}
	if lt.min > 1 {
		body = append(body, c.minCheck(lt, lead, lp)...)
	}
	if lt.validate {
		body = append(body, c.validate(lead, lp, c.valueStart(lt, lead)))
	}
	if t.elem.kind == kStruct {
		body = append(body, c.elemsAt(t.elem.strct.elems[1:], slot, ep)...)
	}
	return []jen.Code{
		jen.Id(l).Op(":=").Add(v.operand()).Index(jen.Empty(), jen.Lit(0)),
		jen.For(jen.Id(i).Op(":=").Lit(0), jen.Empty(), jen.Id(i).Op("++")).Block(body...),
		v.expr().Op("=").Id(l),
	}
}
