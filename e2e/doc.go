// Package e2e holds end-to-end tests that cross every part of turkmail at once — the MTurk
// endpoint, the dispatcher, a real SMTP relay in-process, the worker-facing pages and the
// logs — to check properties no single package can: above all that a worker's email address
// never reaches a requester (privacy_e2e_test.go). It has no code of its own.
package e2e
