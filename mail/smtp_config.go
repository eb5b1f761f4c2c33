package mail

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TLS modes of SMTPConfig.TLS.
const (
	TLSStartTLS = "starttls" // plain connect, then STARTTLS, which must be offered
	TLSImplicit = "implicit" // TLS from the first byte (SMTPS, port 465)
	TLSNone     = "none"     // cleartext; credentials only to a loopback host
)

// Defaults for the zero values of SMTPConfig.
const (
	DefaultDialTimeout    = 30 * time.Second
	DefaultCommandTimeout = 5 * time.Minute // RFC 5321 §4.5.3.2 minimums are 2–10 min
	DefaultConnections    = 1
)

// SMTPConfig says how to reach the relay. Zero durations and Connections take the
// defaults above; an empty TLS means starttls and an empty HeloName "localhost".
type SMTPConfig struct {
	Host           string
	Port           int
	Username       string
	Password       string
	TLS            string // TLSStartTLS, TLSImplicit or TLSNone
	HeloName       string // our name in EHLO
	DialTimeout    time.Duration
	CommandTimeout time.Duration // per command; the final reply to DATA included
	Connections    int           // most connections open at once, idle ones included
	TLSConfig      *tls.Config   // nil: system roots, ServerName = Host
}

// String describes the configuration without the password, for logs.
func (c SMTPConfig) String() string {
	user := ""
	if c.Username != "" {
		user = c.Username + ":***@"
	}
	return fmt.Sprintf("smtp://%s%s?tls=%s", user, net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), c.TLS)
}

// ParseSMTPURL reads smtp://[user:pass@]host[:port][?tls=starttls|implicit|none]. The
// port defaults by TLS mode: 587, 465 and 25. Errors name the part that is wrong and never
// contain the password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole input, password included; its cause does not,
		// except an escape error, which quotes a piece of it.
		var esc url.EscapeError
		inner := errors.Unwrap(err)
		if inner == nil || errors.As(err, &esc) {
			return SMTPConfig{}, errors.New("smtp url: not a valid URL (check %-escapes)")
		}
		return SMTPConfig{}, fmt.Errorf("smtp url: %v", inner)
	}
	if u.Scheme != "smtp" {
		return SMTPConfig{}, fmt.Errorf("smtp url: scheme must be smtp, not %q", u.Scheme)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return SMTPConfig{}, errors.New("smtp url: host missing (want smtp://host:port)")
	}
	if u.Path != "" && u.Path != "/" {
		return SMTPConfig{}, errors.New("smtp url: unexpected path")
	}
	c := SMTPConfig{Host: u.Hostname(), TLS: TLSStartTLS}
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return SMTPConfig{}, fmt.Errorf("smtp url: unknown parameter %q (only tls)", k)
		}
	}
	if v := q.Get("tls"); v != "" {
		c.TLS = strings.ToLower(v)
	}
	defaultPort := 0
	switch c.TLS {
	case TLSStartTLS:
		defaultPort = 587
	case TLSImplicit:
		defaultPort = 465
	case TLSNone:
		defaultPort = 25
	default:
		return SMTPConfig{}, fmt.Errorf("smtp url: tls=%q, want starttls, implicit or none", c.TLS)
	}
	c.Port = defaultPort
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPConfig{}, fmt.Errorf("smtp url: port %q is not 1–65535", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
		if c.Username == "" {
			return SMTPConfig{}, errors.New("smtp url: empty user name before @")
		}
	}
	if err := c.checkCredentials(); err != nil {
		return SMTPConfig{}, err
	}
	return c, nil
}

// checkCredentials refuses a setup that would send the password in clear over a network.
func (c SMTPConfig) checkCredentials() error {
	if c.Username != "" && c.TLS == TLSNone && !isLoopback(c.Host) {
		return errors.New("smtp url: credentials with tls=none are only allowed to a loopback host")
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// withDefaults fills zero values; the caller's TLSConfig is cloned, never modified.
func (c SMTPConfig) withDefaults() SMTPConfig {
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	if c.Port == 0 {
		switch c.TLS {
		case TLSImplicit:
			c.Port = 465
		case TLSNone:
			c.Port = 25
		default:
			c.Port = 587
		}
	}
	if c.HeloName == "" {
		c.HeloName = "localhost"
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.CommandTimeout <= 0 {
		c.CommandTimeout = DefaultCommandTimeout
	}
	if c.Connections <= 0 {
		c.Connections = DefaultConnections
	}
	if c.TLSConfig == nil {
		c.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	} else {
		c.TLSConfig = c.TLSConfig.Clone()
	}
	if c.TLSConfig.ServerName == "" {
		c.TLSConfig.ServerName = c.Host
	}
	return c
}
