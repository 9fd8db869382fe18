package main

import (
	"net/http"

	"github.com/chiso-vn/chiso/etl/review"
	"github.com/chiso-vn/chiso/etl/warehouse"
)

// The evidence pages of `chiso serve`: /documents, /documents/{id},
// /indicators and /indicators/{code}, read from the open warehouse.
func init() {
	serveRoutes = append(serveRoutes, func(w *warehouse.Warehouse) map[string]http.Handler {
		return review.NewHandler(w.Review(), nil).Routes()
	})
}
