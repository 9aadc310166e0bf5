package ui

// ShowSettings opens the settings window (stub: being written).
func (s *Shell) ShowSettings() {}
