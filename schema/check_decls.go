package schema

import (
	"strconv"
	"strings"
)

func (c *checker) checkEnum(e *Enum) {
	names := map[string]*EnumValue{}
	numbers := map[uint64]*EnumValue{}
	for _, v := range e.Values {
		c.exported(v.Pos, "enum value", v.Name)
		if prev, ok := names[v.Name]; ok {
			c.errorf(v.Pos, "duplicate enum value %q (the first is at %s)", v.Name, prev.Pos)
		} else {
			names[v.Name] = v
		}
		if prev, ok := numbers[v.Value]; ok {
			c.errorf(v.Pos, "duplicate enum number %d: %q has it too (%s)", v.Value, prev.Name, prev.Pos)
		} else {
			numbers[v.Value] = v
		}
	}
}

// checkStruct checks the fields of a struct and, for a struct of layouts,
// merges the fields of its layouts into Fields (see Struct).
func (c *checker) checkStruct(s *Struct) {
	if s.Layouts == nil {
		seen := map[string]*Field{}
		for _, fd := range s.Fields {
			c.checkField(fd, false)
			c.uniqueField(seen, fd)
		}
		c.checkConditions(s)
		return
	}
	defer c.checkConditions(s) // once the layouts are merged
	gated := false
	for _, l := range s.Layouts {
		gated = gated || !l.Gate.Always()
	}
	merged := map[string]*Field{}
	for i, l := range s.Layouts {
		seen := map[string]*Field{}
		for j, fd := range l.Fields {
			c.checkField(fd, gated)
			if !c.uniqueField(seen, fd) {
				continue
			}
			if !fd.Gate.Always() && disjoint(fd.Gate, l.Gate) {
				c.errorf(fd.Gate.Pos, "field %q is never on the wire: its gates exclude those of its layout (%s)", fd.Name, l.Pos)
			}
			first, ok := merged[fd.Name]
			if !ok {
				merged[fd.Name] = fd
				s.Fields = append(s.Fields, fd)
				continue
			}
			c.sameField(first, fd)
			l.Fields[j] = first
		}
		for _, prev := range s.Layouts[:i] {
			if !disjoint(prev.Gate, l.Gate) {
				c.errorf(l.Pos, "layout overlaps the layout at %s: the layouts of a struct need gates that exclude each other", prev.Pos)
				break
			}
		}
	}
}

// uniqueField reports fd if seen has a field of its name, else adds it.
func (c *checker) uniqueField(seen map[string]*Field, fd *Field) bool {
	if prev, ok := seen[fd.Name]; ok {
		c.errorf(fd.Pos, "duplicate field %q (the first is at %s)", fd.Name, prev.Pos)
		return false
	}
	seen[fd.Name] = fd
	return true
}

// sameField reports how fd, in a later layout, differs from first, the
// field of the same name in an earlier one: they become one Go field and
// one *Field, so they must be declared alike.
func (c *checker) sameField(first, fd *Field) {
	same, limitsOnly := sameType(first.Type, fd.Type)
	switch {
	case limitsOnly:
		c.errorf(fd.Type.Pos, "field %q has other limits than in the layout at %s; a field in several layouts is one Go field and needs one type",
			fd.Name, first.Pos)
		return
	case !same:
		c.errorf(fd.Type.Pos, "field %q has type %s here but %s at %s; a field in several layouts is one Go field and needs one type",
			fd.Name, typeString(fd.Type), typeString(first.Type), first.Pos)
		return
	}
	var diff []string
	if !sameGate(first.Gate, fd.Gate) {
		diff = append(diff, "gates")
	}
	if !sameCondition(first.When, fd.When) {
		diff = append(diff, "when")
	}
	if (first.At == nil) != (fd.At == nil) || first.At != nil && *first.At != *fd.At {
		diff = append(diff, "at")
	}
	if !sameLiteral(first.Default, fd.Default) {
		diff = append(diff, "default")
	}
	if !sameLiteral(first.Const, fd.Const) {
		diff = append(diff, "const")
	}
	if first.Required != fd.Required {
		diff = append(diff, "required")
	}
	if len(diff) > 0 {
		list := diff[0]
		if n := len(diff); n > 1 {
			list = strings.Join(diff[:n-1], ", ") + " and " + diff[n-1]
		}
		c.errorf(fd.Pos, "field %q differs from the field at %s in its %s; a field in several layouts is one Go field and must be declared alike",
			fd.Name, first.Pos, list)
	}
}

func sameLiteral(a, b *Literal) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Kind == b.Kind && a.Int == b.Int && a.Str == b.Str && a.Bool == b.Bool && a.Ident == b.Ident
}

// checkField checks a field's name and its default, const, at and
// required clauses. mayRequire allows required without a gate or
// condition of its own (a field of a struct whose layouts are gated can be
// off the wire).
func (c *checker) checkField(fd *Field, mayRequire bool) {
	c.exported(fd.Pos, "field", fd.Name)
	if fd.Const != nil {
		switch {
		case fd.Default != nil:
			c.errorf(fd.Const.Pos, "field %q cannot have both const and default", fd.Name)
		case fd.Required:
			c.errorf(fd.Const.Pos, "const field %q cannot be required: it has no Go field", fd.Name)
		}
		if constKind(fd.Type) {
			c.checkLiteral(fd.Const, fd.Type, "const", "")
		} else {
			c.errorf(fd.Const.Pos, "const needs an integer, string, bool or enum field, not %s", typeString(fd.Type))
		}
	}
	if fd.Default != nil {
		if b := base(fd.Type); !unresolved(b) && b.Kind == Optional && !b.Empty {
			c.errorf(fd.Default.Pos, "optional field %q cannot have a default: its default is none", fd.Name)
		} else {
			c.checkLiteral(fd.Default, fd.Type, "default", "")
		}
	}
	if fd.At != nil && fd.Const != nil {
		c.errorf(fd.Const.Pos, "const field %q cannot have at: it is written as its literal at any version", fd.Name)
	}
	if fd.Required && fd.Gate.Always() && fd.When == nil && !mayRequire {
		c.errorf(fd.Pos, "field %q is required but has no gate or condition: required only applies to a field that gates or a when clause can leave off the wire", fd.Name)
	}
}

func (c *checker) checkUnion(u *Union) {
	tags := map[uint64]*Variant{}
	for _, v := range u.Variants {
		if prev, ok := tags[v.Tag]; ok {
			c.errorf(v.Pos, "duplicate union tag %d (the variant at %s has it too)", v.Tag, prev.Pos)
		} else {
			tags[v.Tag] = v
		}
		t := v.Type
		if t.Kind != Ref || t.Qual != "" {
			c.errorf(t.Pos, "union variant %s must be a struct of this package", typeString(t))
			continue
		}
		if t.Decl == nil {
			continue
		}
		s, ok := t.Decl.(*Struct)
		if !ok {
			c.errorf(t.Pos, "union variant %q must be a struct, not %s", t.Name, article(declKind(t.Decl)))
			continue
		}
		v.Struct = s
		if s.Union != nil {
			c.errorf(t.Pos, "struct %q is already a variant of union %q (%s); a struct can be a variant of one union only",
				s.Name, s.Union.Name, s.Union.Pos)
			continue
		}
		s.Union = u
	}
}

func (c *checker) checkOp(op *Op) {
	for _, m := range []struct {
		what string
		t    *Type
	}{{"request", op.Request}, {"reply", op.Reply}} {
		t := m.t
		if t == nil {
			continue
		}
		if t.Kind != Ref {
			c.errorf(t.Pos, "the %s of op %q must be a struct, not %s", m.what, op.Name, typeString(t))
		} else if _, ok := t.Decl.(*Struct); t.Decl != nil && !ok {
			c.errorf(t.Pos, "the %s of op %q must be a struct; %q is %s", m.what, op.Name, typeString(t), article(declKind(t.Decl)))
		}
	}
}

// checkRecursion reports types that contain themselves without a pointer
// or slice in between: named types over themselves and structs with a
// field of their own type, directly or through others.
func (c *checker) checkRecursion() {
	// direct returns the declaration of this package that t is made of.
	var direct func(t *Type) Decl
	direct = func(t *Type) Decl {
		switch {
		case t == nil:
		case t.Kind == Ref && t.Decl != nil && t.Decl.DeclPkg() == c.pkg:
			return t.Decl
		case t.Kind == Optional && t.Empty:
			return direct(t.Elem)
		}
		return nil
	}
	edges := func(d Decl) []Decl {
		var out []Decl
		switch d := d.(type) {
		case *Named:
			out = append(out, direct(d.Type))
		case *Struct:
			for _, fd := range d.Fields {
				out = append(out, direct(fd.Type))
			}
		}
		return out
	}
	state := map[Decl]int{} // 1: on the stack, 2: done
	var stack []Decl
	var visit func(d Decl)
	visit = func(d Decl) {
		state[d] = 1
		stack = append(stack, d)
		for _, to := range edges(d) {
			switch {
			case to == nil:
			case state[to] == 0:
				visit(to)
			case state[to] == 1:
				var names []string
				for i := len(stack) - 1; i >= 0; i-- {
					names = append([]string{stack[i].DeclName()}, names...)
					if stack[i] == to {
						break
					}
				}
				hint := ""
				if _, ok := to.(*Struct); ok {
					hint = "; refer to it through optional, list, set or map"
				}
				c.errorf(to.DeclPos(), "invalid recursive type %q: %s → %s%s", to.DeclName(), strings.Join(names, " → "), to.DeclName(), hint)
			}
		}
		stack = stack[:len(stack)-1]
		state[d] = 2
	}
	for _, d := range c.pkg.Decls {
		if state[d] == 0 {
			visit(d)
		}
	}
}

// checkGoNames reports Go names that the generated code would declare
// twice: declarations, enum constants (enum name + value name), feature
// constants (Feature + name), op codes (Op + name), op tables
// (<protocol>OpCode, <protocol>Ops) and union functions (Size<U> …).
func (c *checker) checkGoNames() {
	names := map[string]string{}
	add := func(goName, what string, pos Pos) {
		if prev, ok := names[goName]; ok {
			c.errorf(pos, "the Go name %s of %s is also the Go name of %s", goName, what, prev)
			return
		}
		names[goName] = what + " (" + pos.String() + ")"
	}
	for _, d := range c.pkg.Decls {
		if c.decls[d.DeclName()] == d { // duplicates are reported already
			names[d.DeclName()] = "the " + declKind(d) + " " + strconv.Quote(d.DeclName()) + " (" + d.DeclPos().String() + ")"
		}
	}
	for _, d := range c.pkg.Decls {
		switch d := d.(type) {
		case *Enum:
			seen := map[string]bool{}
			for _, v := range d.Values {
				if !seen[v.Name] { // duplicates are reported already
					add(d.Name+v.Name, "enum value "+strconv.Quote(d.Name+"."+v.Name), v.Pos)
				}
				seen[v.Name] = true
			}
		case *Union:
			for _, fn := range []string{"Size", "Append", "Consume", "Encode", "Decode"} {
				add(fn+d.Name, "a function of union "+strconv.Quote(d.Name), d.Pos)
			}
		}
	}
	for _, ft := range c.pkg.Features {
		if c.features[ft.Name] == ft {
			add("Feature"+ft.Name, "feature "+strconv.Quote(ft.Name), ft.Pos)
		}
	}
	for _, op := range c.pkg.Ops {
		if c.ops[op.Name] == op {
			add("Op"+op.Name, "op "+strconv.Quote(op.Name), op.Pos)
		}
	}
	for _, f := range c.files {
		if c.protos[f.Protocol] == f {
			pos := f.ProtocolPos
			if pos == (Pos{}) {
				pos = f.Ops[0].Pos
			}
			add(f.Protocol+"OpCode", "the op code type of protocol "+strconv.Quote(f.Protocol), pos)
			add(f.Protocol+"Ops", "the op table of protocol "+strconv.Quote(f.Protocol), pos)
		}
	}
}

// article prefixes a noun with "a" or "an".
func article(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}
