// Package outbox is the delivery engine: a Dispatcher claims due deliveries from the store
// under a lease, turns each into one email (mail.Compose) and hands it to a Sender with
// bounded concurrency, classifies the outcome by the SMTP reply code — delivered, deferred
// with exponential backoff and jitter, bounced (the address suppressed), expired past the
// queue lifetime, cancelled when the worker opted out — and records it. Delivery is at least
// once: a dispatcher that dies mid-send loses its lease and the row is sent again, with the
// same Message-ID. docs/delivery.md describes the rules.
package outbox
