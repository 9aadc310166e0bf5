package ui

// ShowMetrics opens the metrics window (stub: being written).
func (s *Shell) ShowMetrics() {}
