package client

import (
	"context"
	"log/slog"
	"strings"

	"github.com/nixwire/nixwire/messages"
)

// SlogLevel maps a Nix verbosity to a slog level: Error and Warn to their
// namesakes, Notice and Info to Info, Talkative to Debug, and Chatty,
// Debug and Vomit below it (Debug-2, -4, -8), so that a handler at Debug
// shows what `nix -v` shows and lower levels show more.
func SlogLevel(v messages.Verbosity) slog.Level {
	switch v {
	case messages.VerbosityError:
		return slog.LevelError
	case messages.VerbosityWarn:
		return slog.LevelWarn
	case messages.VerbosityNotice, messages.VerbosityInfo:
		return slog.LevelInfo
	case messages.VerbosityTalkative:
		return slog.LevelDebug
	case messages.VerbosityChatty:
		return slog.LevelDebug - 2
	case messages.VerbosityDebug:
		return slog.LevelDebug - 4
	}
	return slog.LevelDebug - 8
}

// SlogLogger returns a Logger that logs the daemon's frames to l, with the
// operation's context (so that handlers can pick up trace ids and the
// like) and these attributes:
//
//   - every record: "op", the operation's name ("" for the handshake);
//   - a log line (STDERR_NEXT): the line, ANSI escapes and the final
//     newline removed, at Info (the daemon sends only lines at or below
//     the verbosity the client set, without their level);
//   - an activity start: its text (or "activity started"), at the
//     activity's level, with "activity" (the id), "type", "parent" (when
//     non-zero) and "fields";
//   - an activity stop: "activity stopped", at Debug-4, with "activity";
//   - a result: a build log line at Info, with the line as message; other
//     results at Debug-4 as "activity result"; both with "activity",
//     "result" (its type) and "fields".
func SlogLogger(l *slog.Logger) Logger {
	return func(ctx context.Context, op string, frame messages.Stderr) {
		switch f := frame.(type) {
		case *messages.StderrNext:
			l.LogAttrs(ctx, slog.LevelInfo, strings.TrimRight(StripANSI(f.Message), "\n"), slog.String("op", op))
		case *messages.StderrStartActivity:
			level := SlogLevel(f.Level)
			if !l.Enabled(ctx, level) {
				return
			}
			msg := StripANSI(f.Text)
			if msg == "" {
				msg = "activity started"
			}
			attrs := []slog.Attr{slog.String("op", op), slog.Uint64("activity", f.ID), slog.String("type", f.Type.String())}
			if f.Parent != 0 {
				attrs = append(attrs, slog.Uint64("parent", f.Parent))
			}
			if len(f.Fields) > 0 {
				attrs = append(attrs, slog.Any("fields", fieldValues(f.Fields)))
			}
			l.LogAttrs(ctx, level, msg, attrs...)
		case *messages.StderrStopActivity:
			l.LogAttrs(ctx, slog.LevelDebug-4, "activity stopped", slog.String("op", op), slog.Uint64("activity", f.ID))
		case *messages.StderrResult:
			level, msg := slog.LevelDebug-4, "activity result"
			if f.Type == messages.ResultTypeBuildLogLine && len(f.Fields) == 1 {
				if s, ok := f.Fields[0].(*messages.FieldString); ok {
					level, msg = slog.LevelInfo, StripANSI(s.Value)
				}
			}
			if !l.Enabled(ctx, level) {
				return
			}
			l.LogAttrs(ctx, level, msg, slog.String("op", op), slog.Uint64("activity", f.ID),
				slog.String("result", f.Type.String()), slog.Any("fields", fieldValues(f.Fields)))
		}
	}
}

// fieldValues returns the values of activity fields: uint64s and strings.
func fieldValues(fields []messages.Field) []any {
	out := make([]any, 0, len(fields))
	for _, f := range fields {
		switch f := f.(type) {
		case *messages.FieldInt:
			out = append(out, f.Value)
		case *messages.FieldString:
			out = append(out, f.Value)
		}
	}
	return out
}
