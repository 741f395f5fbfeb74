package imapd

import "github.com/emersion/go-sasl"

func plainClient(user, pass string) sasl.Client { return sasl.NewPlainClient("", user, pass) }
