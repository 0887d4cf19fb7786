//go:build !unix

package main

import "io/fs"

// inOwnGroup reports false: without Unix groups a group-readable secret
// file always warns.
func inOwnGroup(fs.FileInfo) bool { return false }
