package profile

import "path"

// BuiltinFiles returns the built-in node files and the built-in graph by file name, for pallets
// that ship them (nodes/*.xml and graph.xml).
func BuiltinFiles() (map[string][]byte, error) {
	entries, err := builtinFS.ReadDir("nodes")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, e := range entries {
		data, err := builtinFS.ReadFile(path.Join("nodes", e.Name()))
		if err != nil {
			return nil, err
		}
		out[e.Name()] = data
	}
	return out, nil
}

// BuiltinGraphFile names the built-in graph among BuiltinFiles.
const BuiltinGraphFile = builtinGraphFile
