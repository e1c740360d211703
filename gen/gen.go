// Package gen turns a checked schema package into Go code: for every named
// type, enum and struct the wire.Message methods, for every union its
// interface and functions, for every feature a constant and for every
// protocol its op codes and op table; and for every type its JSON form
// (emit_json.go) and, for structs, String. The shape of the output is
// described in schema/README.md ("Generated Go").
//
// Generation has two stages. buildIR resolves the schema model into an
// intermediate representation (ir.go): every type expression becomes a
// *typ of one kind, every struct an ordered list of wire elements with
// their Go fields, types, residual gates and constants. Then, for each
// kind, one emitter (emit_*.go) produces the code of each of the five
// functions (size, append, consume, encode, decode) from that same tree,
// so that they cannot disagree about what is on the wire. Code is built
// with github.com/dave/jennifer; above every emitter a comment shows the Go
// it emits.
package gen

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"
	"go/scanner"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/nixwire/nixwire/schema"
)

// Config configures Generate.
type Config struct {
	// SchemaPaths maps each schema file (as in schema.Package.Files) to the
	// path written in the generated header (relative, slash-separated).
	// Missing entries: the base name.
	SchemaPaths map[string]string

	// Version is the version of the generator, written in the headers
	// ("nixwire-gen v1.2.0 from ..."); "" writes none. nixwire-gen passes
	// its module's version.
	Version string
	// Command is the command line that generates the files, as given
	// (relative paths), written on the line below the header; "" writes
	// none.
	Command string
}

// Generate returns the generated files of pkg: file name ("<base>_gen.go")
// → gofmt'ed content. Deterministic. On a rendering failure the error
// includes the offending source with line numbers.
func Generate(pkg *schema.Package, cfg Config) (map[string][]byte, error) {
	if pkg == nil {
		return nil, errors.New("gen: no package")
	}
	if pkg.Name == "" {
		return nil, errors.New("gen: the package has no name")
	}
	ir, err := buildIR(pkg)
	if err != nil {
		return nil, err
	}
	if err := checkNames(pkg); err != nil {
		return nil, err
	}

	files := pkg.Files
	if len(files) == 0 {
		files = []string{pkg.Name + ".schema"}
	}
	fileOf := func(pos schema.Pos) string {
		if slices.Contains(files, pos.File) {
			return pos.File
		}
		return files[0]
	}
	out := make(map[string][]byte, len(files))
	for _, file := range files {
		base := strings.TrimSuffix(path.Base(filepath.ToSlash(file)), ".schema")
		name := base + "_gen.go"
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("gen: two schema files would generate %s", name)
		}
		header, ok := cfg.SchemaPaths[file]
		if !ok {
			header = path.Base(filepath.ToSlash(file))
		}
		g := newFileGen(ir, pkg, cfg.headerLines(header)...)
		g.out = newOutlined(slices.Index(files, file))

		var features []*schema.Feature
		for _, f := range pkg.Features {
			if fileOf(f.Pos) == file {
				features = append(features, f)
			}
		}
		var decls []schema.Decl
		var messages []string
		for _, d := range pkg.Decls {
			if fileOf(d.DeclPos()) != file {
				continue
			}
			decls = append(decls, d)
			if _, ok := d.(*schema.Union); !ok {
				messages = append(messages, d.DeclName())
			}
		}
		var protocols []string
		ops := map[string][]*schema.Op{}
		for _, op := range pkg.Ops {
			if fileOf(op.Pos) != file {
				continue
			}
			if _, ok := ops[op.Protocol]; !ok {
				protocols = append(protocols, op.Protocol)
			}
			ops[op.Protocol] = append(ops[op.Protocol], op)
		}

		g.genVersion()
		g.assertions(messages)
		g.features(features)
		for _, d := range decls {
			switch d := d.(type) {
			case *schema.Named:
				g.named(ir.named[d])
			case *schema.Enum:
				g.enum(ir.enums[d])
			case *schema.Struct:
				g.structDecl(ir.structs[d])
			case *schema.Union:
				g.unionDecl(ir.unions[d])
			}
		}
		for _, p := range protocols {
			g.protocol(p, ops[p])
			g.protocolValue(p)
			g.requestOps(p, ops[p])
			g.dispatch(p, ops[p])
		}
		g.flushOutlined()
		src, err := render(name, g.f)
		if err != nil {
			return nil, err
		}
		out[name] = src
	}
	return out, nil
}

// newFileGen starts a file of pkg with the header comment lines header.
func newFileGen(ir *irPackage, pkg *schema.Package, header ...string) *fileGen {
	var f *jen.File
	if pkg.Path != "" {
		f = jen.NewFilePathName(pkg.Path, pkg.Name)
	} else {
		f = jen.NewFile(pkg.Name)
	}
	for _, h := range header {
		f.HeaderComment(h)
	}
	f.ImportName(wirePkg, "wire")
	for _, imp := range pkg.Imports {
		if imp.Package == nil || imp.Path == "" {
			continue
		}
		name := imp.Name
		if name == "" {
			name = imp.Package.Name
		}
		if reservedLocal(name) {
			name += "pkg"
		}
		if name == imp.Package.Name {
			f.ImportName(imp.Path, name)
		} else {
			f.ImportAlias(imp.Path, name)
		}
	}
	return &fileGen{ir: ir, pkg: pkg, f: f}
}

// localName matches the names of generated locals and temporaries, which
// an import must not shadow.
var localName = regexp.MustCompile(`^(m|p|b|w|r|n|x|v|c|e|i|k|err|orig|start|raw|raws|inner|obj|variant|out|in|wire|strconv|math|slices|json|errors|[a-z]{1,2}[0-9]+)$`)

func reservedLocal(name string) bool { return localName.MatchString(name) }

// checkNames reports Go names that two declarations of pkg would both
// declare.
func checkNames(pkg *schema.Package) error {
	seen := map[string]schema.Pos{}
	var errs schema.ErrorList
	add := func(name string, pos schema.Pos, what string) {
		if prev, ok := seen[name]; ok {
			errs = append(errs, &schema.Error{Pos: pos, Msg: fmt.Sprintf("%s: the Go name %s is already declared at %s", what, name, prev)})
			return
		}
		seen[name] = pos
	}
	for _, f := range pkg.Features {
		add("Feature"+f.Name, f.Pos, "feature "+f.Name)
	}
	for _, d := range pkg.Decls {
		add(d.DeclName(), d.DeclPos(), d.DeclName())
		switch d := d.(type) {
		case *schema.Struct:
			for _, f := range d.Fields {
				if f.Const == nil && (slices.Contains(methodNames, f.Name) || d.Derived != nil && f.Name == "WireBase") {
					errs = append(errs, &schema.Error{Pos: f.Pos, Msg: fmt.Sprintf("field %s.%s: the Go name %s is that of a generated method", d.Name, f.Name, f.Name)})
				}
			}
		case *schema.Enum:
			for _, v := range d.Values {
				add(d.Name+v.Name, v.Pos, "enum value "+d.Name+"."+v.Name)
			}
		case *schema.Union:
			for _, verb := range []string{"Size", "Append", "Consume", "Encode", "Decode", "MarshalJSON", "UnmarshalJSON"} {
				add(verb+d.Name, d.Pos, "union "+d.Name)
			}
		}
	}
	protocols := map[string]bool{}
	for _, op := range pkg.Ops {
		if !protocols[op.Protocol] {
			protocols[op.Protocol] = true
			add(op.Protocol+"OpCode", op.Pos, "protocol "+strconv.Quote(op.Protocol))
			add(op.Protocol+"Ops", op.Pos, "protocol "+strconv.Quote(op.Protocol))
			for _, n := range dispatchNames(op.Protocol) {
				add(n, op.Pos, "protocol "+strconv.Quote(op.Protocol))
			}
		}
		add("Op"+op.Name, op.Pos, "op "+op.Name)
		if s := requestOwner(pkg, op); s != nil {
			for _, f := range s.Fields {
				if f.Const == nil && slices.Contains(requestMethods, f.Name) {
					errs = append(errs, &schema.Error{Pos: f.Pos, Msg: fmt.Sprintf("field %s.%s: the Go name %s is that of a method of the request of op %s", s.Name, f.Name, f.Name, op.Name)})
				}
			}
		}
	}
	if len(errs) > 0 {
		errs.Sort()
		return errs
	}
	return nil
}

// methodNames are the methods of generated structs, which no field may be
// named as.
var methodNames = []string{"WireSize", "AppendWire", "ConsumeWire", "EncodeWire", "DecodeWire", "WireTypeName",
	"String", "MarshalJSON", "UnmarshalJSON"}

// joinErrors returns errs as one error: a sorted schema.ErrorList when they
// all are *schema.Error.
func joinErrors(errs []error) error {
	var list schema.ErrorList
	for _, err := range errs {
		var e *schema.Error
		if !errors.As(err, &e) {
			return errors.Join(errs...)
		}
		list = append(list, e)
	}
	list.Sort()
	return list
}

// render renders f and formats it.
func render(name string, f *jen.File) ([]byte, error) {
	f.NoFormat = true
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return nil, fmt.Errorf("gen: rendering %s: %w", name, err)
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, &RenderError{Name: name, Source: buf.Bytes(), Err: err}
	}
	return src, nil
}

// RenderError reports generated code that could not be formatted: a bug of
// the generator. Its message shows the offending lines of the source.
type RenderError struct {
	Name   string // the file being generated
	Source []byte // its unformatted source
	Err    error  // the error of go/format
}

// Error renders the cause and the offending generated source, with line
// numbers around the failing lines.
func (e *RenderError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "gen: generated %s does not format: %v\n", e.Name, e.Err)
	lines := strings.Split(string(e.Source), "\n")
	show := make([]bool, len(lines)+1)
	var list scanner.ErrorList
	if errors.As(e.Err, &list) && len(list) > 0 {
		for _, se := range list {
			for l := se.Pos.Line - 8; l <= se.Pos.Line+8; l++ {
				if l >= 1 && l <= len(lines) {
					show[l] = true
				}
			}
		}
	} else {
		for i := range show {
			show[i] = true
		}
	}
	gap := false
	for i, line := range lines {
		if !show[i+1] {
			gap = true
			continue
		}
		if gap {
			b.WriteString("     ...\n")
			gap = false
		}
		fmt.Fprintf(&b, "%5d\t%s\n", i+1, line)
	}
	return b.String()
}

// Unwrap returns the error of go/format.
func (e *RenderError) Unwrap() error { return e.Err }

// BrokenFile returns the name and unformatted source of the file, for a
// tool to write it beside the output for inspection.
func (e *RenderError) BrokenFile() (string, []byte) { return e.Name, e.Source }
