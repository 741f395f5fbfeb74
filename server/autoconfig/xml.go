package autoconfig

import "encoding/xml"

// clientConfig is Thunderbird's autoconfig document, version 1.1. The
// types are exported-field structs so that encoding/xml can both write
// them and, in tests, read them back.
type clientConfig struct {
	XMLName  xml.Name `xml:"clientConfig"`
	Version  string   `xml:"version,attr"`
	Provider provider `xml:"emailProvider"`
}

// provider is the emailProvider element: one of our domains.
type provider struct {
	ID          string   `xml:"id,attr"`
	Domains     []string `xml:"domain"`
	DisplayName string   `xml:"displayName"`
	ShortName   string   `xml:"displayShortName"`
	Incoming    []server `xml:"incomingServer"`
	Outgoing    []server `xml:"outgoingServer"`
}

// server is an incomingServer or outgoingServer element, most preferred
// first.
type server struct {
	Type           string `xml:"type,attr"`
	Hostname       string `xml:"hostname"`
	Port           int    `xml:"port"`
	SocketType     string `xml:"socketType"`
	Authentication string `xml:"authentication"`
	Username       string `xml:"username"`
}
