package ui

// ShowRoles opens the roles window (stub: being written).
func (s *Shell) ShowRoles() {}
