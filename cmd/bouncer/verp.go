package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/internal/verp"
)

// Exit statuses of verp verify: 1 is a forged, tampered or unknown address.
const exitVERPCannotCheck = 2

// verpFlags holds the flags of one verp command tree.
type verpFlags struct {
	mailbox   string
	recipient string
	stream    string
}

func newVerpCmd() *cobra.Command {
	f := &verpFlags{}
	verpCmd := &cobra.Command{
		Use:   "verp",
		Short: "Sign and verify return-path addresses (VERP with an HMAC)",
		Long: `Signed return paths let bouncer tell real bounces from forged ones: send each
message with the return path printed by "verp sign", and set
policy.require_verified to count only bounces that come back to such an
address. Keys are read from verp.secret_file, one per line: the first signs,
every one verifies. docs/signed-return-paths.md documents the algorithm.`,
	}
	verpSignCmd := &cobra.Command{
		Use:   "sign EMAIL [--mailbox NAME] [--stream STREAM]",
		Short: "Print the signed return path for a recipient",
		Long: `Print the return path to send a message to EMAIL with: the local part of the
mailbox's address, "+", a token, "@" and its domain. The mailbox is the one
named by --mailbox, else the first with an address. When the recipient is
too long for the token to fit the 64-octet local part, the token is a signed
reference, and its mapping is stored in the database. --stream signs a stream
label (1 to 32 of a-z, 0-9, '-', '_') into the token: bounces to the address
are counted under that stream in rates.`,
		Args: cobra.ExactArgs(1),
		RunE: f.runSign,
	}
	verpVerifyCmd := &cobra.Command{
		Use:   "verify ADDRESS [--recipient EMAIL]",
		Short: "Print the recipient (and stream) a signed return path names; exit 1 when it is forged",
		Long: `Check the token in ADDRESS against every key and print the recipient it
names, and on a second line "stream: S" when the token carries a stream. The exit status is 0 for a valid address, 1 for a forged, tampered or
unknown one (or one signed with a key no longer listed), 2 when it could not
be checked. A reference token is looked up in the database, unless
--recipient names the address to check it against.`,
		Args: cobra.ExactArgs(1),
		RunE: f.runVerify,
	}
	verpKeygenCmd := &cobra.Command{
		Use:   "keygen",
		Short: "Print a new random key for verp.secret_file",
		Long: `Print a new random key (32 bytes, hex). To rotate, put it on the first line
of verp.secret_file and keep the old key below it until no bounce for it can
still arrive (a few weeks), then remove the old line.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := make([]byte, 32)
			if _, err := rand.Read(b); err != nil {
				return fmt.Errorf("verp: keygen: %w", err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), hex.EncodeToString(b))
			return nil
		},
	}
	verpSignCmd.Flags().StringVar(&f.stream, "stream", "", "stream label to sign into the token (see bouncer rates)")
	verpSignCmd.Flags().StringVar(&f.mailbox, "mailbox", "", "mailbox whose address to sign for (default: the first with an address)")
	verpVerifyCmd.Flags().StringVar(&f.recipient, "recipient", "", "check a reference token against this recipient instead of the database")
	verpCmd.AddCommand(verpSignCmd, verpVerifyCmd, verpKeygenCmd)
	return verpCmd
}

// errVERPOff is returned when neither verp.secret_file nor verp.secret_env is configured.
var errVERPOff = errors.New("verp: verp.secret_file is not set (nor verp.secret_env)")

// verpCodec builds the signing codec from the configured key file.
func verpCodec(cfg *Config) (verp.Codec, error) {
	if !cfg.VERP.Secret.IsSet() {
		return verp.Codec{}, errVERPOff
	}
	keys, err := verp.ParseKeyRing(strings.NewReader(cfg.VERP.Secret.Value()))
	if err != nil {
		return verp.Codec{}, fmt.Errorf("verp.secret_file: %w", err)
	}
	return verp.Codec{Keys: keys}, nil
}

// loadVERP loads the configuration and the signing codec it names.
func loadVERP(cmd *cobra.Command) (*Config, verp.Codec, error) {
	cfg, err := loadConfigUsing(cmd, "verp")
	if err != nil {
		return nil, verp.Codec{}, err
	}
	codec, err := verpCodec(cfg)
	if err != nil {
		return nil, verp.Codec{}, withExit(exitConfig, err)
	}
	return cfg, codec, nil
}

// verpMailboxes returns the configured return-path addresses.
func verpMailboxes(cfg *Config) []string {
	var out []string
	for _, m := range cfg.Mailboxes {
		if m.Address != "" {
			out = append(out, m.Address)
		}
	}
	return out
}

func (f *verpFlags) runSign(cmd *cobra.Command, args []string) error {
	cfg, codec, err := loadVERP(cmd)
	if err != nil {
		return err
	}
	addr, err := signingAddress(cfg, f.mailbox)
	if err != nil {
		return withExit(exitConfig, err)
	}
	s, err := codec.SignStream(addr, args[0], f.stream)
	if err != nil {
		return err
	}
	if s.Ref != "" {
		if err := storeVERPRef(cmd.Context(), cfg, s, time.Now()); err != nil {
			return err
		}
	}
	fmt.Fprintln(cmd.OutOrStdout(), s.Address)
	return nil
}

// signingAddress returns the address of the mailbox named name, or of the
// first mailbox with an address when name is empty.
func signingAddress(cfg *Config, name string) (string, error) {
	for _, m := range cfg.Mailboxes {
		if m.Address != "" && (name == "" || m.Name == name) {
			return m.Address, nil
		}
		if m.Name == name {
			return "", fmt.Errorf("verp: mailbox %q has no address (mailboxes[].address)", name)
		}
	}
	if name != "" {
		return "", fmt.Errorf("verp: no mailbox named %q", name)
	}
	return "", errors.New("verp: no mailbox has an address (mailboxes[].address)")
}

func (f *verpFlags) runVerify(cmd *cobra.Command, args []string) error {
	cfg, codec, err := loadVERP(cmd)
	if err != nil {
		return err
	}
	rcpt, err := verifyAddress(cmd.Context(), cfg, codec, args[0], f.recipient)
	if err != nil {
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), rcpt)
	// The token verified, so the stream it carries in clear is the one
	// signed with the recipient.
	if token, err := codec.SplitAny(verpMailboxes(cfg), args[0]); err == nil && verp.StreamOf(token) != "" {
		fmt.Fprintf(cmd.OutOrStdout(), "stream: %s\n", verp.StreamOf(token))
	}
	return nil
}

// verifyAddress returns the recipient addr names, checked against every
// configured mailbox address (any, when none has one). Its errors carry
// exit status 1 for an untrustworthy address, 2 when the check failed.
func verifyAddress(ctx context.Context, cfg *Config, codec verp.Codec, addr, rcpt string) (string, error) {
	token, err := codec.SplitAny(verpMailboxes(cfg), addr)
	if err != nil {
		return "", withExit(1, err)
	}
	if rcpt != "" {
		if !codec.Keys.Matches(token, rcpt) {
			return "", withExit(1, fmt.Errorf("%w for %s", verp.ErrForged, rcpt))
		}
		return verp.Canonical(rcpt), nil
	}
	var refs verp.RefLookup
	if verp.IsRef(token) {
		store, err := openStore(ctx, cfg, false)
		if err != nil {
			return "", withExit(exitVERPCannotCheck, err)
		}
		defer store.Close()
		refs = store
	}
	got, err := codec.VerifyToken(ctx, token, refs)
	switch {
	case errors.Is(err, verp.ErrMalformed), errors.Is(err, verp.ErrForged), errors.Is(err, verp.ErrUnknownRef):
		return "", withExit(1, err)
	case err != nil:
		return "", withExit(exitVERPCannotCheck, err)
	}
	return got, nil
}

// storeVERPRef records the mapping of a reference token.
func storeVERPRef(ctx context.Context, cfg *Config, s verp.Signed, now time.Time) error {
	store, err := openStore(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer store.Close()
	return store.PutVERPRef(ctx, s.Ref, s.Recipient, now)
}
