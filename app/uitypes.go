package app

import (
	"github.com/mcplex/mcplex/core/config"
	"github.com/mcplex/mcplex/core/events"
	"github.com/mcplex/mcplex/core/metrics"
)

// More core types and values under app names, for the desktop windows
// (roles, playground, metrics, settings), so ui/ imports only app.
type (
	// MetricsStats is Snapshot.Metrics: totals, per-tool stats and the series.
	MetricsStats = metrics.Stats
	// ToolStats is one server/tool row of MetricsStats.Tools.
	ToolStats = metrics.ToolStats
	// SeriesPoint is one 5-second step of MetricsStats.Series.
	SeriesPoint = metrics.Point
	// EventKind names an Event's type.
	EventKind = events.Kind
)

// The [router] mode and strategy values.
const (
	ModeMetatool        = config.ModeMetatool
	ModePassthrough     = config.ModePassthrough
	ModeLegacy          = config.ModeLegacy
	StrategySemantic    = config.StrategySemantic
	StrategyKeyword     = config.StrategyKeyword
	StrategyPassthrough = config.StrategyPassthrough
)
