package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/nixwire/nixwire/client"
	"github.com/nixwire/nixwire/client/clienttest"
	"github.com/nixwire/nixwire/messages"
)

func TestSlogLogger(t *testing.T) {
	frames := []messages.Stderr{
		&messages.StderrNext{Message: "\x1b[35;1mhello\x1b[0m\n"},
		&messages.StderrStartActivity{ID: 7, Level: messages.VerbosityInfo, Type: messages.ActivityTypeBuild, Text: "building foo",
			Fields: []messages.Field{&messages.FieldString{Value: "/nix/store/x.drv"}, &messages.FieldInt{Value: 1}}, Parent: 3},
		&messages.StderrResult{ID: 7, Type: messages.ResultTypeBuildLogLine, Fields: []messages.Field{&messages.FieldString{Value: "make: ok"}}},
		&messages.StderrStartActivity{ID: 8, Level: messages.VerbosityVomit, Type: messages.ActivityTypeUnknown, Text: "hidden"},
		&messages.StderrStopActivity{ID: 7},
	}
	d := &clienttest.Daemon{Handlers: map[messages.WorkerOpCode]clienttest.Handler{
		messages.OpIsValidPath: func(op *clienttest.Op) error {
			op.Decode(&messages.IsValidPathRequest{})
			op.Send(frames...)
			op.Last()
			return op.Reply(&messages.IsValidPathReply{Valid: true})
		},
	}}
	var buf bytes.Buffer
	h := slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug - 4, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})
	c, _ := fakeConn(t, d, client.Options{Logger: client.SlogLogger(slog.New(ctxHandler{h}))})
	if _, err := c.IsValidPath(context.WithValue(ctx(t), ctxKey{}, "req-42"), testPath); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"level":"INFO","msg":"hello","op":"IsValidPath","trace":"req-42"}`,
		`{"level":"INFO","msg":"building foo","op":"IsValidPath","activity":7,"type":"Build","parent":3,"fields":["/nix/store/x.drv",1],"trace":"req-42"}`,
		`{"level":"INFO","msg":"make: ok","op":"IsValidPath","activity":7,"result":"BuildLogLine","fields":["make: ok"],"trace":"req-42"}`,
		`{"level":"DEBUG-4","msg":"activity stopped","op":"IsValidPath","activity":7,"trace":"req-42"}`,
	}
	got := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(got) != len(want) {
		t.Fatalf("logged:\n%s", buf.String())
	}
	for i := range want {
		var g, w any
		json.Unmarshal([]byte(got[i]), &g)
		json.Unmarshal([]byte(want[i]), &w)
		if gs, _ := json.Marshal(g); string(gs) != mustJSON(w) {
			t.Errorf("record %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
	if client.SlogLevel(messages.VerbosityError) != slog.LevelError || client.SlogLevel(messages.VerbosityWarn) != slog.LevelWarn ||
		client.SlogLevel(messages.VerbosityTalkative) != slog.LevelDebug || client.SlogLevel(messages.VerbosityVomit) != slog.LevelDebug-8 {
		t.Error("SlogLevel")
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// ctxHandler adds the context's ctxKey value as "trace", as a tracing
// handler would.
type ctxHandler struct{ slog.Handler }

func (h ctxHandler) Handle(ctx context.Context, r slog.Record) error {
	if v, ok := ctx.Value(ctxKey{}).(string); ok {
		r.AddAttrs(slog.String("trace", v))
	}
	return h.Handler.Handle(ctx, r)
}
