package ui

// ShowPlayground opens the playground window (stub: being written).
func (s *Shell) ShowPlayground() {}
