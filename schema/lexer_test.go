package schema

import (
	"strings"
	"testing"

	"github.com/nixwire/nixwire/wire"
)

// tokString renders tokens compactly: kind-specific text, "⏎" for line
// ends, with doc and trailing comments in brackets.
func tokString(toks []token) string {
	var parts []string
	for _, t := range toks {
		var s string
		switch t.kind {
		case tEOF:
			s = "EOF"
		case tNewline:
			s = "⏎"
			if t.comment != "" {
				s += "[" + t.comment + "]"
			}
		case tInt:
			s = "int:" + t.text
		case tVersion:
			s = "ver:" + t.ver.String()
		case tString:
			s = "str:" + t.str
		case tIllegal:
			s = "illegal:" + t.text
		default:
			s = t.text
		}
		if t.doc != "" {
			s = "{" + strings.ReplaceAll(t.doc, "\n", "|") + "}" + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestLexer(t *testing.T) {
	tests := []struct {
		name, src, want, errs string
	}{
		{"empty", "", "EOF", ""},
		{"blank lines", "\n\n  \n", "EOF", ""},
		{"idents and punctuation", "struct A_1 { x<y>(z), = . }", "struct A_1 { x < y > ( z ) , = . } ⏎ EOF", ""},
		{"comparisons", "a == 1 b != c = ==d !", "a == int:1 b != c = == d illegal:! ⏎ EOF", "f:1:21: unexpected character '!'"},
		{"numbers", "0 42 0x1F 0XfF 18446744073709551615", "int:0 int:42 int:0x1F int:0XfF int:18446744073709551615 ⏎ EOF", ""},
		{"versions", "1.16 1.06 0.0 255.255", "ver:1.16 ver:1.6 ver:0.0 ver:255.255 ⏎ EOF", ""},
		{"qualified name is not a version", "nix.X 1.x", "nix . X int:1 . x ⏎ EOF", ""},
		{"overflow", "18446744073709551616", "illegal:18446744073709551616 ⏎ EOF",
			"f:1:1: number 18446744073709551616 out of range (the maximum is 2^64-1)"},
		{"hex overflow", "0x10000000000000000", "illegal:0x10000000000000000 ⏎ EOF",
			"f:1:1: number 0x10000000000000000 out of range (the maximum is 2^64-1)"},
		{"bad hex", "0x 0xg", "illegal:0x illegal:0xg ⏎ EOF", `f:1:1: invalid number "0x"` + "\n" + `f:1:4: invalid number "0xg"`},
		{"version part too big", "1.256 256.1", "illegal:1.256 illegal:256.1 ⏎ EOF",
			"f:1:1: invalid version 1.256: major and minor must be 0-255\nf:1:7: invalid version 256.1: major and minor must be 0-255"},
		{"strings", `"a\tb" "\u00e9" ""`, "str:a\tb str:é str: ⏎ EOF", ""},
		{"unterminated string", "\"abc\nx", "illegal:\"abc ⏎ x ⏎ EOF", "f:1:1: string not terminated"},
		{"bad escape", `"\q"`, `illegal:"\q" ⏎ EOF`, `f:1:1: invalid string "\q"`},
		{"semicolons are line ends", "a;b;;c\n;d", "a ⏎ b ⏎ c ⏎ d ⏎ EOF", ""},
		{"illegal characters", "a $ b / é", "a illegal:$ b illegal:/ illegal:é ⏎ EOF",
			"f:1:3: unexpected character '$'\nf:1:7: unexpected character '/'\nf:1:9: unexpected character 'é'"},
		{"invalid utf-8", "a \xff", "a illegal:\xff ⏎ EOF", `f:1:3: invalid UTF-8 byte "\xff"`},
		{"doc comment", "// one\n//two\nA\n", "{one|two}A ⏎ EOF", ""},
		{"blank line detaches doc", "// gone\n\nA\n", "A ⏎ EOF", ""},
		{"only the last group", "// a\n\n// b\nA", "{b}A ⏎ EOF", ""},
		{"doc only on first token of line", "// d\nA B", "{d}A B ⏎ EOF", ""},
		{"trailing comment", "A // t\nB", "A ⏎[t] B ⏎ EOF", ""},
		{"trailing comment after semicolon", "A; // t\nB", "A ⏎[t] B ⏎ EOF", ""},
		{"trailing comment is not doc", "A // t\n// d\nB", "A ⏎[t] {d}B ⏎ EOF", ""},
		{"crlf", "A\r\n// d\r\nB\r\n", "A ⏎ {d}B ⏎ EOF", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs ErrorList
			toks := lex("f", []byte(tt.src), func(p Pos, msg string) { errs = append(errs, &Error{p, msg}) })
			if got := tokString(toks); got != tt.want {
				t.Errorf("tokens\n got %s\nwant %s", got, tt.want)
			}
			if got := errs.Error(); got != tt.errs {
				t.Errorf("errors\n got %s\nwant %s", got, tt.errs)
			}
		})
	}
}

func TestLexerPositions(t *testing.T) {
	toks := lex("f.schema", []byte("struct A {\n\tB u64 since 1.16\n}"), func(Pos, string) {})
	want := []struct {
		text      string
		line, col int
		first     bool
	}{
		{"struct", 1, 1, true}, {"A", 1, 8, false}, {"{", 1, 10, false}, {"\n", 1, 11, false},
		{"B", 2, 2, true}, {"u64", 2, 4, false}, {"since", 2, 8, false}, {"1.16", 2, 14, false}, {"\n", 2, 18, false},
		{"}", 3, 1, true}, {"\n", 3, 2, false}, {"", 3, 2, false},
	}
	if len(toks) != len(want) {
		t.Fatalf("got %d tokens (%s), want %d", len(toks), tokString(toks), len(want))
	}
	for i, w := range want {
		got := toks[i]
		if got.text != w.text || got.pos != (Pos{"f.schema", w.line, w.col}) || got.first != w.first {
			t.Errorf("token %d: got %q at %s first=%v, want %q at %d:%d first=%v", i, got.text, got.pos, got.first, w.text, w.line, w.col, w.first)
		}
	}
	if toks[7].ver != wire.V(1, 16) {
		t.Errorf("version = %v, want 1.16", toks[7].ver)
	}
}

// TestByteOrderMark: a file that starts with a UTF-8 byte order mark (some
// editors write one) parses as without it, with the same positions.
func TestByteOrderMark(t *testing.T) {
	src := "protocol Worker\nop A = 1 {}\n"
	plain, err := ParseFile("a.schema", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	marked, err := ParseFile("a.schema", []byte("\ufeff"+src))
	if err != nil {
		t.Fatalf("with a byte order mark: %v", err)
	}
	if plain.Protocol != marked.Protocol || plain.ProtocolPos != marked.ProtocolPos {
		t.Errorf("with a byte order mark: protocol %q at %v, want %q at %v", marked.Protocol, marked.ProtocolPos, plain.Protocol, plain.ProtocolPos)
	}
	if _, err := ParseFile("a.schema", []byte("protocol \ufeffWorker\n")); err == nil {
		t.Error("a byte order mark inside the file was accepted")
	}
}
