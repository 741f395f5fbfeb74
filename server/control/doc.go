// Package control lets the command-line tools change a store that a
// running server holds open.
//
// bbolt locks its file, so `mailnet user add` cannot open the database
// while `mailnet serve` runs. Instead the server listens on a Unix socket in
// the data directory (mode 0600: whoever can use it could read the data
// files anyway) and performs the operations itself. When no server
// answers, the tools open the store directly. Both paths run the same code:
// Local implements the operations, the socket Server calls Local, and
// Client implements the same Ops interface over the socket.
//
// The wire format is one JSON request and one JSON response per
// connection.
package control
