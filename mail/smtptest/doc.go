// Package smtptest runs a real SMTP server in the test process, on 127.0.0.1, built on
// github.com/emersion/go-smtp. It records every message it receives, counts connections
// (to show reuse), and lets a test script its answer per recipient and attempt: accept,
// reply with any code at RCPT or after DATA, drop the connection in the middle of DATA or
// after the final dot, or answer late. AUTH PLAIN, STARTTLS and implicit TLS with a
// self-signed certificate generated at start are optional.
package smtptest
