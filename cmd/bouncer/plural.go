package main

import "fmt"

// plural formats n with one (n == 1) or many: plural(n, "%d address",
// "%d addresses").
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf(one, n)
	}
	return fmt.Sprintf(many, n)
}
