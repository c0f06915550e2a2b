"""Walk-throughs of a vector, equation by equation, shared by `backprop-spec explain`
and the documentation site. Imports core/ and format/."""
