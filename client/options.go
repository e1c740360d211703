package client

import (
	"runtime"

	"github.com/nixwire/nixwire/messages"
	"github.com/nixwire/nixwire/wire"
)

// Protocol versions.
const (
	// DefaultVersion is the highest protocol version the client offers
	// unless Options.MaxVersion says otherwise: 1.38, with the feature
	// exchange.
	DefaultVersion = wire.Version(1<<8 | 38)
	// MinVersion is the lowest daemon protocol version the client accepts
	// (Nix clients refuse daemons older than 1.10 too).
	MinVersion = wire.Version(1<<8 | 10)
)

// Logger receives the log frames of the daemon's STDERR sessions:
// *messages.StderrNext (a log line, ending in "\n"),
// *messages.StderrStartActivity, *messages.StderrStopActivity and
// *messages.StderrResult (build log lines come as results of type
// messages.ResultTypeBuildLogLine). It is called on the goroutine running
// the operation, and may keep the frames.
type Logger func(frame messages.Stderr)

// Options configure Handshake. The zero value is ready to use.
type Options struct {
	// MaxVersion is the highest protocol version to offer (default
	// DefaultVersion). The connection uses the lower of it and the
	// daemon's version. It must lie in [MinVersion, DefaultVersion], or
	// up to MaxExtendedVersion with an extended Protocol.
	MaxVersion wire.Version
	// Protocol is the protocol whose ops the Conn sends (default
	// messages.WorkerProtocol): the generated Protocol of an extension of
	// the worker protocol, whose op tables take precedence over the
	// worker's in the order of its Base chain. See Call.
	Protocol *wire.Protocol
	// Features are the features to offer when the negotiated version is
	// at least 1.38; the connection keeps those the daemon offers too.
	Features []string
	// Settings are sent with SetOptions after the handshake (default:
	// DefaultSettings()). SetOptions is skipped when the feature
	// messages.FeatureDisableSetOptions was negotiated.
	Settings *messages.ClientSettings
	// Logger receives log frames; nil discards them.
	Logger Logger
}

// DefaultSettings returns the settings a Nix client sends by default:
// verbosity Info, one build job, no silence limit, verbose builds, as many
// cores as the machine has, substitutes on, and no overrides.
func DefaultSettings() *messages.ClientSettings {
	return &messages.ClientSettings{
		Verbosity:      messages.VerbosityInfo,
		MaxBuildJobs:   1,
		UseBuildHook:   1,
		VerboseBuild:   messages.VerbosityError, // Nix's verbose-build default
		BuildCores:     uint32(runtime.NumCPU()),
		UseSubstitutes: true,
	}
}
