function __fabric-list-machines_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __fabric-list-machines_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __fabric-list-machines_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __fabric-list-machines_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __fabric-list-machines_parse_tokens -S
    set -l unparsed_tokens (__fabric-list-machines_tokens -pc)
    switch $unparsed_tokens[1]
    case 'fabric-list-machines'
        __fabric-list-machines_parse_subcommand 0 'p/provider=' 'store=' 'store-password-file=' 'where=+' 'meta=+' 'group=' 'refresh' 'mysql-user=' 'mysql-password-file=' 'mysql-tls' 'mysql-port=' 'address=' 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'help'
            __fabric-list-machines_parse_subcommand -r 1 'version'
        end
    end
end

function __fabric-list-machines_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __fabric-list-machines_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __fabric-list-machines_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __fabric-list-machines_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__fabric-list-machines_tokens -p)
    if test -z "$(__fabric-list-machines_tokens -t)"
        set -l index (count (__fabric-list-machines_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'fabric-list-machines' -f
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_flags_or_options "fabric-list-machines" p provider' -s 'p' -l 'provider' -d 'The registered provider to use (see: fabric provider list).' -rfka ''
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_flags_or_options "fabric-list-machines" store' -l 'store' -d 'The state store: a SQLite file, or mysql://USER@HOST[:PORT][,HOST[:PORT]...]/DATABASE[?socket=PATH&ssl=required&ssl_ca=FILE] (several hosts: the nodes of a replicated server, tried in order). Default: $FABRIC_STORE, then $XDG_STATE_HOME/fabric/fabric.db.' -rF
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_flags_or_options "fabric-list-machines" store-password-file' -l 'store-password-file' -d 'A mysql:// store\'s password, the first line of this file (/dev/fd/N works). Default: $FABRIC_STORE_PASSWORD, then ~/.my.cnf.' -rF
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_flags_or_options "fabric-list-machines"' -l 'where' -d 'Keep machines whose field equals the value.' -rfka ''
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_flags_or_options "fabric-list-machines"' -l 'meta' -d 'Keep machines whose metadata key equals the value.' -rfka ''
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_flags_or_options "fabric-list-machines" group' -l 'group' -d 'Keep the machines of one group (fabric-boot --group).' -rfka ''
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_flags_or_options "fabric-list-machines" refresh' -l 'refresh' -d 'Read machine records and print each with the provider\'s view now (GONE when it has none).'
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_flags_or_options "fabric-list-machines" mysql-user' -l 'mysql-user' -d 'Log in to each machine\'s MySQL as this user; the password from --mysql-password-file or $FABRIC_MYSQL_PASSWORD, never the command line.' -rfka ''
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_flags_or_options "fabric-list-machines" mysql-password-file' -l 'mysql-password-file' -d 'The MySQL password: this file\'s first line (/dev/fd/N works).' -rF
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_flags_or_options "fabric-list-machines" mysql-tls' -l 'mysql-tls' -d 'Refuse a MySQL login without TLS.'
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_flags_or_options "fabric-list-machines" mysql-port' -l 'mysql-port' -d 'The port of the machines\' MySQL (default 3306).' -rfka ''
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_flags_or_options "fabric-list-machines" address' -l 'address' -d 'Which address roles are read at: auto, public or private.' -rfka 'auto public private'
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_flags_or_options "fabric-list-machines" version' -l 'version' -d 'Show the version.'
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_flags_or_options "fabric-list-machines" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_positional "fabric-list-machines" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'fabric-list-machines' -n '__fabric-list-machines_should_offer_completions_for_flags_or_options "fabric-list-machines help" version' -l 'version' -d 'Show the version.'

# --- fabric additions: written by completions/regenerate, not by the tool ---

function __fabric_prev_is -d 'true if the previous token is one of the arguments'
    set -l tokens (commandline -opc)
    contains -- $tokens[-1] $argv
end

function __fabric_json_field -a field -d 'the string field of each JSON line on stdin'
    while read -l line
        set -l match (string match -r -- '"'$field'":"((?:[^"\\\\]|\\\\.)*)"' $line)
        set -q match[2]; or continue
        string replace -ra -- '\\\\(.)' '$1' $match[2]
    end
end

function __fabric_tool_providers -d 'registered provider ids, from a store that exists'
    set -l tokens (commandline -opc)
    set -l store
    set -l i (contains -i -- --store $tokens)
    and set -l next (math $i + 1)
    and set -q tokens[$next]
    and set store --store $tokens[$next]
    set -l store_path (fabric-store path $store 2>/dev/null)
    test -f "$store_path"; or return
    fabric-store list providers $store 2>/dev/null | __fabric_json_field provider_id
end
complete -c 'fabric-list-machines' -n '__fabric_prev_is -p --provider' -s p -l provider -x -a '(__fabric_tool_providers)' -d 'provider id'
complete -c 'fabric-list-machines' -n '__fabric_prev_is --store' -l store -r -F
complete -c 'fabric-list-machines' -n '__fabric_prev_is --store-password-file' -l store-password-file -r -F
