package org.m13.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a YAML file into a record. Keys are kebab-case ({@code public-key}); an
 * unknown key, a value of the wrong type or a syntax error is a {@link ConfigException}
 * with the file, line and key, never a stack trace.
 */
public final class ConfigFiles {
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    private ConfigFiles() {
    }

    public static <T> T read(Path file, Class<T> type) throws ConfigException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, "", "does not exist");
        } catch (IOException e) {
            throw new ConfigException(file, "", "cannot be read: " + e.getMessage());
        }
        if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw new ConfigException(file, "", "is empty");
        }
        YamlLines lines = new YamlLines(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        try {
            T value = YAML.readValue(bytes, type);
            if (value == null) {
                throw new ConfigException(file, "", "is empty");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            String parent = path(e.getPath().subList(0, Math.max(0, e.getPath().size() - 1)));
            String at = parent.isEmpty() ? e.getPropertyName() : parent + "." + e.getPropertyName();
            throw new ConfigException(file, line(lines, at, e), parent, "unknown key '" + e.getPropertyName() + "'"
                    + (known.isEmpty() ? "" : " (known here: " + known + ")"));
        } catch (InvalidFormatException e) {
            String key = path(e.getPath());
            throw new ConfigException(file, line(lines, key, e), key, "'" + e.getValue() + "' is not a valid "
                    + describe(e.getTargetType()));
        } catch (MismatchedInputException e) {
            String key = path(e.getPath());
            throw new ConfigException(file, line(lines, key, e), key, "expected " + describe(e.getTargetType()));
        } catch (JsonMappingException e) {
            String key = path(e.getPath());
            if (e.getCause() instanceof JsonProcessingException syntax) {
                throw new ConfigException(file, line(lines, "", syntax), "", "not valid YAML: "
                        + syntax.getOriginalMessage());
            }
            throw new ConfigException(file, line(lines, key, e), key, e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new ConfigException(file, line(lines, "", e), "", "not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(file, "", "cannot be read: " + e.getMessage());
        }
    }

    /** The key's own line when it can be found in the text, else where the parser was. */
    private static int line(YamlLines lines, String key, JsonProcessingException e) {
        int located = key.isEmpty() ? -1 : lines.lineOf(key);
        return located > 0 ? located : line(e);
    }

    /** The line of the token being read (the key itself), not where the parser stopped. */
    private static int line(JsonProcessingException e) {
        JsonLocation location = e.getProcessor() instanceof JsonParser p ? p.currentTokenLocation() : null;
        if (location == null || location.getLineNr() <= 0) {
            location = e.getLocation();
        }
        return location == null ? -1 : location.getLineNr();
    }

    /** {@code nodes[1].public-key} from Jackson's reference chain. */
    static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "value";
        }
        if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            StringBuilder sb = new StringBuilder("one of ");
            for (int i = 0; i < constants.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(constants[i].toString().toLowerCase(java.util.Locale.ROOT));
            }
            return sb.toString();
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "whole number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (List.class.isAssignableFrom(type)) {
            return "list";
        }
        if (type == String.class) {
            return "text value";
        }
        return "mapping of " + type.getSimpleName().replace("Config", "").toLowerCase(java.util.Locale.ROOT)
                + " settings";
    }
}
