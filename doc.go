// Package turkmail is the domain of turkmail: the types and rules of Mechanical Turk's
// worker-notification system (requesters, workers, HITs, assignments, notifications and
// their deliveries), the error codes the API speaks, and the Store and Sender interfaces
// that the outside packages implement. It depends on the standard library only.
package turkmail
