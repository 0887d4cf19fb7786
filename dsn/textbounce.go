package dsn

// textBounce reads a bounce written in prose (no delivery-status part).
// It reports whether any recipient was found.
func (p *parser) textBounce() bool {
	return false
}

// enrichFromText completes DSN records from the prose part.
func (p *parser) enrichFromText() {}
