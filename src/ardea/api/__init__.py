"""What goes over the wire: MLflow's JSON shapes, shared by the server and the REST store."""
