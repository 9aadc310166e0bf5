package ui

// ShowServers opens the servers window (stub: being written).
func (s *Shell) ShowServers() {}
